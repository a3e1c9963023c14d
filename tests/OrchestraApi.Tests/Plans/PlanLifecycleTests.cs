using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Plans;

public sealed class PlanLifecycleTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task four_disciplines_plan_execute_and_complete_under_one_outcome()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var disciplines = new[] { Discipline.Advertising, Discipline.PublicRelations, Discipline.Digital, Discipline.Crm };
        var executed = new List<PlanDetails>();

        foreach (var discipline in disciplines)
        {
            var orchestrator = await world.OrchestratorAsync(discipline);
            var plan = await orchestrator.DraftPlanAsync(world.Plan(discipline));
            Assert.Equal(PlanStatus.Draft, plan.Status);

            var first = await orchestrator.ScheduleActivityAsync(plan.Id, PlanWorld.Activity($"{discipline} launch", 120_000m, Channel.Tv, 2));
            var second = await orchestrator.ScheduleActivityAsync(plan.Id, PlanWorld.Activity($"{discipline} follow-up", 60_000m, Channel.Email, 5));
            var submitted = await orchestrator.SubmitPlanAsync(plan.Id, await orchestrator.VersionOfAsync(plan.Id));
            Assert.Equal(PlanStatus.Submitted, submitted.Status);

            if (discipline == Discipline.PublicRelations)
            {
                var returned = await world.Conductor.ReturnPlanAsync(plan.Id, submitted.V(), new ReturnPlanRequest { Comments = "Tie the launch to the TV flight." });
                Assert.Equal(PlanStatus.Returned, returned.Status);
                Assert.Equal("Tie the launch to the TV flight.", returned.ReturnComments);
                first = await orchestrator.RescheduleActivityAsync(plan.Id, first.Id, first.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 2, 10), EndsOn = new DateOnly(2027, 2, 20) });
                var revised = await orchestrator.RevisePlanAsync(plan.Id, returned.V(), new RevisePlanRequest { Objective = "Earned media around the TV launch." });
                submitted = await orchestrator.SubmitPlanAsync(plan.Id, revised.V());
            }

            var approved = await world.Conductor.ApprovePlanAsync(plan.Id, submitted.V());
            Assert.Equal(PlanStatus.Approved, approved.Status);

            var started = await orchestrator.StartActivityAsync(plan.Id, first.Id, first.V());
            Assert.Equal(PlanStatus.InExecution, (await orchestrator.GetPlanAsync(plan.Id)).Status);
            var done = await orchestrator.CompleteActivityAsync(plan.Id, first.Id, started.V());
            var cancelled = await orchestrator.CancelActivityAsync(plan.Id, second.Id, second.V(), new CancelRequest { Reason = "Merged into the launch." });
            Assert.Equal(ActivityStatus.Done, done.Status);
            Assert.Equal(ActivityStatus.Cancelled, cancelled.Status);
            executed.Add(await orchestrator.GetPlanAsync(plan.Id));
        }

        Assert.All(executed, p => Assert.Equal(PlanStatus.Completed, p.Status));
        Assert.All(executed, p => Assert.Equal(120_000m, p.Planned.Amount));
        var overview = await world.Conductor.ListPlansAsync(world.Outcome.Id);
        var allocation = await world.Conductor.GetBudgetAllocationAsync(world.Outcome.Id);
        Assert.Equal(disciplines, overview.Items.Select(p => p.Discipline));
        Assert.Equal((800_000m, "EUR"), (allocation.Allocated.Amount, allocation.Allocated.Currency));
        Assert.Equal(200_000m, allocation.Unallocated.Amount);
        Assert.False(allocation.OverAllocated);
        Assert.Equal(overview.Items.Select(p => p.Id), allocation.Plans.Select(p => p.PlanId));
        Assert.All(overview.Items, p => Assert.Equal((1, 1), (p.ActivitiesDone, p.ActivitiesTotal)));

        var history = await world.Conductor.GetPlanHistoryAsync(executed[1].Id);
        Assert.Equal(
            ["drafted", "activity-scheduled", "activity-scheduled", "submitted", "returned", "activity-rescheduled", "revised", "submitted", "approved", "activity-started", "execution-started", "activity-completed", "activity-cancelled", "completed"],
            history.Items.Select(c => c.Change));
        Assert.Equal([null, executed[1].Activities[0].Id], history.Items.Take(2).Select(c => c.ActivityId));
        var launch = executed[1].Activities[0];
        var activityHistory = await world.Conductor.GetActivityHistoryAsync(executed[1].Id, launch.Id);
        Assert.Equal(["activity-scheduled", "activity-rescheduled", "activity-started", "activity-completed"], activityHistory.Items.Select(c => c.Change));
        Assert.Equal(4, launch.Version);
    }

    [Fact]
    public async Task a_plan_rolls_up_its_budget_and_lists_filter_by_discipline_and_status()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var digital = await world.OrchestratorAsync(Discipline.Digital);
        var crmPlan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 100_000m));
        await crm.ScheduleActivityAsync(crmPlan.Id, PlanWorld.Activity("Mail", 30_000m, Channel.DirectMail));
        await crm.ScheduleActivityAsync(crmPlan.Id, PlanWorld.Activity("Email", 20_000m));
        await digital.DraftPlanAsync(world.Plan(Discipline.Digital, 50_000m));

        var plan = await crm.GetPlanAsync(crmPlan.Id);
        var crmOnly = await world.Conductor.ListPlansAsync(world.Outcome.Id, discipline: Discipline.Crm);
        var drafts = await world.Conductor.ListPlansAsync(world.Outcome.Id, status: PlanStatus.Draft);
        var approved = await world.Conductor.ListPlansAsync(world.Outcome.Id, status: PlanStatus.Approved);

        Assert.Equal((50_000m, 50_000m), (plan.Planned.Amount, plan.Remaining.Amount));
        Assert.Equal(["Mail", "Email"], plan.Activities.Select(x => x.Name));
        Assert.Equal([Discipline.Crm], crmOnly.Items.Select(p => p.Discipline));
        Assert.Equal(150_000m, (await world.Conductor.GetBudgetAllocationAsync(world.Outcome.Id)).Allocated.Amount);
        Assert.Equal(2, drafts.Items.Count);
        Assert.Empty(approved.Items);
    }

    [Fact]
    public async Task activities_across_an_outcome_filter_and_paginate()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var ads = await world.OrchestratorAsync(Discipline.Advertising);
        var crmPlan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var adsPlan = await ads.DraftPlanAsync(world.Plan(Discipline.Advertising));
        for (var month = 1; month <= 5; month++)
        {
            await crm.ScheduleActivityAsync(crmPlan.Id, PlanWorld.Activity($"Email {month}", 1_000m, Channel.Email, month));
        }

        var tv = await ads.ScheduleActivityAsync(adsPlan.Id, PlanWorld.Activity("TV spot", 50_000m, Channel.Tv, 3));

        var names = new List<string>();
        string? cursor = null;
        do
        {
            var page = await world.Conductor.ListActivitiesAsync(world.Outcome.Id, limit: 4, cursor: cursor);
            names.AddRange(page.Items.Select(x => x.Name));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        var emails = await world.Conductor.ListActivitiesAsync(world.Outcome.Id, channel: Channel.Email);
        var advertising = await world.Conductor.ListActivitiesAsync(world.Outcome.Id, discipline: Discipline.Advertising);
        var spring = await world.Conductor.ListActivitiesAsync(world.Outcome.Id, from: new DateOnly(2027, 3, 10), to: new DateOnly(2027, 4, 10));

        Assert.Equal(["Email 1", "Email 2", "Email 3", "Email 4", "Email 5", "TV spot"], names);
        Assert.Equal(5, emails.Items.Count);
        Assert.Equal([tv.Id], advertising.Items.Select(x => x.Id));
        Assert.Equal(["Email 3", "Email 4", "TV spot"], spring.Items.Select(x => x.Name));
        Assert.Equal(tv.Version, advertising.Items[0].Version);
    }

    [Fact]
    public async Task cancelling_a_plan_cancels_its_open_activities()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity());

        var cancelled = await crm.CancelPlanAsync(plan.Id, await crm.VersionOfAsync(plan.Id), new CancelRequest { Reason = "Budget moved to digital." });

        Assert.Equal(PlanStatus.Cancelled, cancelled.Status);
        Assert.Equal("Budget moved to digital.", cancelled.ClosingReason);
        Assert.All(cancelled.Activities, a => Assert.Equal(ActivityStatus.Cancelled, a.Status));
        var listed = await world.Conductor.ListActivitiesAsync(world.Outcome.Id, status: ActivityStatus.Cancelled);
        Assert.Single(listed.Items);
        var again = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        Assert.NotEqual(plan.Id, again.Id);
    }
}
