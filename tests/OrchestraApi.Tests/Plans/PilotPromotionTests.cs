using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Plans;

public sealed class PilotPromotionTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task promoting_a_pilot_carries_its_activities_into_the_discipline_plan_and_closes_it()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 300_000m));
        var planActivity = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("National email"));
        var pilot = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 20_000m, "Scotland loyalty members"));
        var sms = PlanWorld.Activity("Scottish SMS", 5_000m, Channel.Other, 4);
        sms.ChannelLabel = "SMS";
        var kept = await crm.ScheduleActivityAsync(pilot.Id, sms);
        var dropped = await crm.ScheduleActivityAsync(pilot.Id, PlanWorld.Activity("Scottish mail", 7_000m, Channel.DirectMail));
        await crm.CancelActivityAsync(pilot.Id, dropped.Id, dropped.V(), new CancelRequest { Reason = "Did not work." });

        var target = await crm.PromotePilotAsync(pilot.Id, await crm.VersionOfAsync(pilot.Id));

        Assert.Equal(plan.Id, target.Id);
        Assert.Equal([planActivity.Id, kept.Id], target.Activities.Select(a => a.Id));
        Assert.Equal("SMS", target.Activities[1].ChannelLabel);
        var closed = await crm.GetPlanAsync(pilot.Id);
        Assert.Equal(PlanStatus.Promoted, closed.Status);
        Assert.Equal(plan.Id, closed.PromotedInto);
        Assert.Equal([dropped.Id], closed.Activities.Select(a => a.Id));
        Assert.Equal("promoted", (await crm.GetPlanHistoryAsync(pilot.Id)).Items[^1].Change);
        Assert.Equal(["drafted", "activity-scheduled", "activity-carried-over"], (await crm.GetPlanHistoryAsync(plan.Id)).Items.Select(c => c.Change));
        Assert.Equal(["pilot-drafted", "activity-scheduled", "activity-scheduled", "activity-cancelled", "promoted"], (await crm.GetPlanHistoryAsync(pilot.Id)).Items.Select(c => c.Change));
        Assert.Equal(["activity-scheduled", "activity-carried-over"], (await crm.GetActivityHistoryAsync(plan.Id, kept.Id)).Items.Select(c => c.Change));
        Assert.Equal(kept.Version + 1, target.Activities[1].Version);
        var listed = await crm.ListActivitiesAsync(world.Outcome.Id, status: ActivityStatus.Planned);
        Assert.Equal([(planActivity.Id, plan.Id), (kept.Id, plan.Id)], listed.Items.Select(a => (a.Id, a.PlanId)));
        var allocation = await crm.GetBudgetAllocationAsync(world.Outcome.Id);
        Assert.Equal(300_000m, allocation.Allocated.Amount);
        var e = await Assert.ThrowsAsync<ApiException<Problem>>(() => crm.PromotePilotAsync(pilot.Id, closed.V()));
        Assert.Equal(409, e.StatusCode);
    }

    [Fact]
    public async Task promoting_a_pilot_without_a_discipline_plan_makes_one_from_it()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var digital = await world.OrchestratorAsync(Discipline.Digital);
        var pilot = await digital.DraftPlanAsync(world.Plan(Discipline.Digital, 20_000m, "Paid search, two cities"));
        var activity = await digital.ScheduleActivityAsync(pilot.Id, PlanWorld.Activity("Search test", 8_000m, Channel.PaidSearch));

        var plan = await digital.PromotePilotAsync(pilot.Id, await digital.VersionOfAsync(pilot.Id));

        Assert.NotEqual(pilot.Id, plan.Id);
        Assert.Null(plan.PilotScope);
        Assert.Equal(PlanStatus.Draft, plan.Status);
        Assert.Equal((20_000m, 8_000m), (plan.Budget.Amount, plan.Planned.Amount));
        Assert.Equal([activity.Id], plan.Activities.Select(a => a.Id));
        Assert.Equal(plan.Version, (await digital.GetPlanAsync(plan.Id)).Version);
        var e = await Assert.ThrowsAsync<ApiException<Problem>>(() => digital.PromotePilotAsync(plan.Id, plan.V()));
        Assert.Equal("only-pilots-can-be-promoted", e.Result.Rule);
    }

    [Fact]
    public async Task promoting_a_pilot_that_would_close_a_dependency_cycle_is_refused_naming_it_and_changes_nothing()
    {
        var g = await Connections.ConnectionWorld.CreateAsync(Api);
        var digital = g.Sides[Discipline.Digital].Plans;
        var a = await g.ActivityAsync(Discipline.Advertising, "TV burst", new DateOnly(2027, 3, 1), new DateOnly(2027, 3, 10));
        var pilot = await digital.DraftPlanAsync(g.World.Plan(Discipline.Digital, 20_000m, "Two cities"));
        var request = PlanWorld.Activity("City search test", 5_000m, Channel.PaidSearch);
        var x = await digital.ScheduleActivityAsync(pilot.Id, request);
        // a → the whole Digital plan, and the pilot's x → a: no cycle while x is in the pilot.
        await g.Conductor.DefineConnectionAsync(g.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Dependency, Title = "Search follows TV", From = Connections.ConnectionWorld.Side(a), To = new ConnectionSide { PlanId = g.Sides[Discipline.Digital].Plan.Id },
        });
        await g.DependencyAsync(x, a, title: "TV uses the test's findings");

        var e = await Assert.ThrowsAsync<ApiException<Problem>>(async () => await digital.PromotePilotAsync(pilot.Id, await digital.VersionOfAsync(pilot.Id)));

        Assert.Equal((409, "dependencies-without-cycles"), (e.StatusCode, e.Result.Rule));
        Assert.Contains("'TV burst'", e.Result.Detail);
        Assert.Contains("'City search test'", e.Result.Detail);
        Assert.Equal(PlanStatus.Draft, (await digital.GetPlanAsync(pilot.Id)).Status);
        Assert.Equal(pilot.Id, (await digital.GetActivityAsync(pilot.Id, x.Id)).PlanId);
        var path = await g.Conductor.GetCriticalPathAsync(g.OutcomeId);
        Assert.Equal([a.Id, x.Id], path.Activities.Select(s => s.ActivityId).Order());
    }
}
