using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Plans;

/// <summary>Every plan rule, through the SDK: a violation is a 409 naming the rule, and changes nothing.</summary>
public sealed class PlanRuleTests(ApiFixture api) : ApiTest(api)
{
    private static async Task AssertRuleAsync(string rule, Func<Task> act)
    {
        var e = await Assert.ThrowsAsync<ApiException<Problem>>(act);
        Assert.Equal(409, e.StatusCode);
        Assert.Equal(rule, e.Result.Rule);
    }

    [Fact]
    public async Task one_live_plan_per_discipline_but_any_number_of_pilots()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 100_000m));

        await AssertRuleAsync("one-plan-per-discipline", () => crm.DraftPlanAsync(world.Plan(Discipline.Crm, 100_000m)));
        await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 10_000m, "Scotland only"));
        await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 10_000m, "Paid social only"));
        Assert.Equal(3, (await crm.ListPlansAsync(world.Outcome.Id)).Items.Count);
    }

    [Fact]
    public async Task concurrent_drafts_for_one_discipline_leave_exactly_one_plan()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            try
            {
                await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 10_000m));
                return 201;
            }
            catch (ApiException e)
            {
                return e.StatusCode;
            }
        }));

        Assert.Equal(1, attempts.Count(s => s == 201));
        Assert.All(attempts.Where(s => s != 201), s => Assert.Equal(409, s));
        Assert.Single((await crm.ListPlansAsync(world.Outcome.Id)).Items);
    }

    [Fact]
    public async Task plans_are_drafted_only_for_active_outcomes_in_their_currency()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var draftOutcome = await world.ConductorOutcomes.DefineOutcomeAsync(OutcomeSamples.Define("Not yet active"));
        var forDraft = world.Plan(Discipline.Crm);
        forDraft.OutcomeId = draftOutcome.Id;
        var inDollars = world.Plan(Discipline.Crm);
        inDollars.Budget = new Money { Amount = 1, Currency = "USD" };

        await AssertRuleAsync("outcome-must-be-active", () => crm.DraftPlanAsync(forDraft));
        await AssertRuleAsync("plan-currency-matches-outcome", () => crm.DraftPlanAsync(inDollars));
        var unknown = world.Plan(Discipline.Crm);
        unknown.OutcomeId = Guid.NewGuid();
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException<Problem>>(() => crm.DraftPlanAsync(unknown))).StatusCode);
        Assert.Empty((await crm.ListPlansAsync(world.Outcome.Id)).Items);
    }

    [Fact]
    public async Task over_allocating_the_outcome_needs_an_explicit_acceptance_and_carries_a_warning()
    {
        var world = await PlanWorld.CreateAsync(Api, outcomeBudget: 100_000m);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var digital = await world.OrchestratorAsync(Discipline.Digital);
        var crmPlan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 80_000m));

        await AssertRuleAsync("outcome-budget-over-allocated", () => digital.DraftPlanAsync(world.Plan(Discipline.Digital, 30_000m)));
        await AssertRuleAsync("outcome-budget-over-allocated", () => crm.RevisePlanAsync(crmPlan.Id, crmPlan.V(), new RevisePlanRequest { Budget = new Money { Amount = 120_000m, Currency = "EUR" } }));
        var accepted = world.Plan(Discipline.Digital, 30_000m);
        accepted.AcceptOverAllocation = true;
        var digitalPlan = await digital.DraftPlanAsync(accepted);

        Assert.True(digitalPlan.OverAllocationAccepted);
        Assert.False(crmPlan.OverAllocationAccepted);
        var allocation = await world.Conductor.GetBudgetAllocationAsync(world.Outcome.Id);
        Assert.True(allocation.OverAllocated);
        Assert.Equal(-10_000m, allocation.Unallocated.Amount);
    }

    [Fact]
    public async Task activities_run_inside_the_outcome_window_with_known_kpis_in_the_plan_currency()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var early = PlanWorld.Activity();
        early.StartsOn = new DateOnly(2026, 12, 1);
        var backwards = PlanWorld.Activity();
        backwards.EndsOn = backwards.StartsOn.AddDays(-1);
        var unknownKpi = PlanWorld.Activity();
        unknownKpi.KpiKeys = ["nps"];
        var dollars = PlanWorld.Activity();
        dollars.Budget = new Money { Amount = 5, Currency = "USD" };

        await AssertRuleAsync("activity-inside-outcome-window", () => crm.ScheduleActivityAsync(plan.Id, early));
        await AssertRuleAsync("activity-ends-after-start", () => crm.ScheduleActivityAsync(plan.Id, backwards));
        await AssertRuleAsync("activity-kpis-belong-to-outcome", () => crm.ScheduleActivityAsync(plan.Id, unknownKpi));
        await AssertRuleAsync("activity-currency-matches-plan", () => crm.ScheduleActivityAsync(plan.Id, dollars));
        var activity = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity());
        await AssertRuleAsync("activity-inside-outcome-window", () => crm.RescheduleActivityAsync(plan.Id, activity.Id, activity.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 12, 1), EndsOn = new DateOnly(2028, 1, 15) }));
        Assert.Single((await crm.GetPlanAsync(plan.Id)).Activities);
    }

    [Fact]
    public async Task other_channel_needs_a_label()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var other = PlanWorld.Activity(channel: Channel.Other);

        var e = await Assert.ThrowsAsync<ApiException<Problem>>(() => crm.ScheduleActivityAsync(plan.Id, other));
        other.ChannelLabel = "Podcast sponsorship";
        var labelled = await crm.ScheduleActivityAsync(plan.Id, other);

        Assert.Equal(400, e.StatusCode);
        Assert.True(e.Result.Errors?.ContainsKey("channelLabel"));
        Assert.Equal("Podcast sponsorship", labelled.ChannelLabel);
    }

    [Fact]
    public async Task an_approved_plan_keeps_its_activities_within_its_budget()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 100_000m));
        var activity = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity(budget: 90_000m));
        await world.Conductor.ApprovePlanAsync(plan.Id, (await crm.SubmitPlanAsync(plan.Id, await crm.VersionOfAsync(plan.Id))).V());

        await AssertRuleAsync("approved-plan-within-budget", () => crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity(budget: 20_000m)));
        await AssertRuleAsync("approved-plan-within-budget", () => crm.RebudgetActivityAsync(plan.Id, activity.Id, activity.V(), new RebudgetActivityRequest { Budget = new Money { Amount = 100_001m, Currency = "EUR" } }));
        await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity(budget: 10_000m));
        Assert.Equal(100_000m, (await crm.GetPlanAsync(plan.Id)).Planned.Amount);
        await AssertRuleAsync("plan-editable-in-draft-or-returned", async () => await crm.RevisePlanAsync(plan.Id, await crm.VersionOfAsync(plan.Id), new RevisePlanRequest { Title = "Changed" }));
    }

    [Fact]
    public async Task submission_needs_activities_within_budget_and_locks_the_plan()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 10_000m));

        await AssertRuleAsync("plan-needs-activities", () => crm.SubmitPlanAsync(plan.Id, plan.V()));
        var costly = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity(budget: 20_000m));
        await AssertRuleAsync("plan-within-budget", async () => await crm.SubmitPlanAsync(plan.Id, await crm.VersionOfAsync(plan.Id)));
        var trimmed = await crm.RebudgetActivityAsync(plan.Id, costly.Id, costly.V(), new RebudgetActivityRequest { Budget = new Money { Amount = 9_000m, Currency = "EUR" } });
        var submitted = await crm.SubmitPlanAsync(plan.Id, await crm.VersionOfAsync(plan.Id));

        await AssertRuleAsync("submitted-plan-is-locked", () => crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity(budget: 1m)));
        await AssertRuleAsync("submitted-plan-is-locked", () => crm.RescheduleActivityAsync(plan.Id, costly.Id, trimmed.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 6, 1), EndsOn = new DateOnly(2027, 6, 2) }));
        await AssertRuleAsync("only-draft-or-returned-can-be-submitted", () => crm.SubmitPlanAsync(plan.Id, submitted.V()));
        await AssertRuleAsync("plan-must-be-approved", () => crm.StartActivityAsync(plan.Id, costly.Id, trimmed.V()));
        var approved = await world.Conductor.ApprovePlanAsync(plan.Id, submitted.V());
        await AssertRuleAsync("only-submitted-can-be-approved", () => world.Conductor.ApprovePlanAsync(plan.Id, approved.V()));
        await AssertRuleAsync("only-submitted-can-be-returned", () => world.Conductor.ReturnPlanAsync(plan.Id, approved.V(), new ReturnPlanRequest { Comments = "late" }));
    }

    [Fact]
    public async Task done_and_cancelled_activities_are_final()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var a = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("A"));
        var b = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("B"));
        await world.Conductor.ApprovePlanAsync(plan.Id, (await crm.SubmitPlanAsync(plan.Id, await crm.VersionOfAsync(plan.Id))).V());
        await AssertRuleAsync("only-in-progress-can-complete", () => crm.CompleteActivityAsync(plan.Id, a.Id, a.V()));
        var started = await crm.StartActivityAsync(plan.Id, a.Id, a.V());
        var done = await crm.CompleteActivityAsync(plan.Id, a.Id, started.V());

        await AssertRuleAsync("only-planned-can-start", () => crm.StartActivityAsync(plan.Id, a.Id, done.V()));
        await AssertRuleAsync("final-activity-is-final", () => crm.CancelActivityAsync(plan.Id, a.Id, done.V(), new CancelRequest { Reason = "x" }));
        await AssertRuleAsync("final-activity-is-final", () => crm.RescheduleActivityAsync(plan.Id, a.Id, done.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 6, 1), EndsOn = new DateOnly(2027, 6, 2) }));
        Assert.Equal(PlanStatus.InExecution, (await crm.GetPlanAsync(plan.Id)).Status);
        await crm.CancelActivityAsync(plan.Id, b.Id, b.V(), new CancelRequest { Reason = "Not needed." });
        var completed = await crm.GetPlanAsync(plan.Id);
        Assert.Equal(PlanStatus.Completed, completed.Status);
        await AssertRuleAsync("closed-plan-is-final", () => crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity()));
        await AssertRuleAsync("closed-plan-is-final", () => crm.CancelPlanAsync(plan.Id, completed.V(), new CancelRequest { Reason = "x" }));
        var unknown = await Assert.ThrowsAsync<ApiException<Problem>>(() => crm.StartActivityAsync(plan.Id, Guid.NewGuid(), 1));
        Assert.Equal(404, unknown.StatusCode);
    }

    [Fact]
    public async Task no_plan_total_or_allocation_passes_the_largest_amount_the_api_holds_even_over_allocated_or_in_draft()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var digital = await world.OrchestratorAsync(Discipline.Digital);
        var big = world.Plan(Discipline.Crm, 1_000_000_000_000m);
        big.AcceptOverAllocation = true;
        var plan = await crm.DraftPlanAsync(big);
        var second = world.Plan(Discipline.Digital, 1m);
        second.AcceptOverAllocation = true;

        await AssertRuleAsync("allocation-within-limit", () => digital.DraftPlanAsync(second));
        await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("Everything", 1_000_000_000_000m));
        await AssertRuleAsync("planned-within-limit", () => crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("One cent more", 0.01m)));

        var read = await crm.GetPlanAsync(plan.Id);
        Assert.Equal((1_000_000_000_000m, 1), (read.Planned.Amount, read.Activities.Count));
        Assert.Equal(1_000_000_000_000m, (await crm.GetBudgetAllocationAsync(world.Outcome.Id)).Allocated.Amount);
    }
}
