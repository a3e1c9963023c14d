using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Results;

/// <summary>Segments with CLV and equity, and KPI progress, pace and trend: observed, derived from results and from segments.</summary>
public sealed class CustomerValueTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static KpiDefinition Kpi(string key, decimal baseline, decimal target, KpiDirection direction = KpiDirection.Up, KpiSource source = KpiSource.Observed, Guid? segment = null) => new()
    {
        Key = key, Name = key, Unit = "x", Baseline = baseline, Target = target, Direction = direction, Source = source, SegmentId = segment,
    };

    [Fact]
    public async Task a_segments_clv_and_equity_follow_the_worked_example_and_its_revisions_move_them_and_the_kpis_on_them()
    {
        var organisation = await Api.NewOrganisationAsync();
        var conductorKey = await organisation.KeyAsync(Role.Conductor);
        var segments = Api.Segments(conductorKey);
        var outcomes = Api.Outcomes(conductorKey);

        var segment = await segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "Lapsed members", Size = 1_000, Margin = new Money { Amount = 100m, Currency = "EUR" }, RetentionRate = 0.8m, DiscountRate = 0.1m });
        var define = OutcomeSamples.Define(kpis: [Kpi("clv", 200m, 500m, source: KpiSource.SegmentClv, segment: segment.Id), Kpi("equity", 0m, 1_000_000m, source: KpiSource.SegmentEquity, segment: segment.Id)]);
        var outcome = await outcomes.DefineOutcomeAsync(define);
        var before = await Api.Results(conductorKey).GetKpiProgressAsync(outcome.Id);
        var revised = await segments.ReviseSegmentAsync(segment.Id, segment.Version, new ReviseSegmentRequest { RetentionRate = 0.9m });
        var after = await Api.Results(conductorKey).GetKpiProgressAsync(outcome.Id);
        var history = await segments.GetSegmentHistoryAsync(segment.Id);

        Assert.Equal((266.67m, 266_666.67m, "EUR"), (segment.Clv.Amount, segment.Equity.Amount, segment.Clv.Currency));
        Assert.Equal((450m, 450_000m), (revised.Clv.Amount, revised.Equity.Amount));
        Assert.Equal([266.67m, 450m], history.Items.Select(h => h.Segment.Clv.Amount));
        Assert.Equal((266.67m, 0.2222m), (before.Kpis[0].Current, before.Kpis[0].Progress));
        Assert.Equal((450m, 0.8333m, 0.45m), (after.Kpis[0].Current, after.Kpis[0].Progress, after.Kpis[1].Progress));
    }

    [Fact]
    public async Task observed_kpis_show_progress_trend_and_pace_up_and_down_and_derived_ones_move_with_results()
    {
        var organisation = await Api.NewOrganisationAsync();
        var conductorKey = await organisation.KeyAsync(Role.Conductor);
        var outcomes = Api.Outcomes(conductorKey);
        var results = Api.Results(conductorKey);
        var define = OutcomeSamples.Define(kpis:
        [
            Kpi("members", 100m, 200m), Kpi("churn", 10m, 5m, KpiDirection.Down), Kpi("beyond", 0m, 10m),
            Kpi("conversions", 0m, 100m, source: KpiSource.Conversions), Kpi("roi", 0m, 2m, source: KpiSource.Roi),
        ]);
        define.StartsOn = Today.AddDays(-30);
        define.EndsOn = Today.AddDays(69);
        var draft = await outcomes.DefineOutcomeAsync(define);
        var outcome = await outcomes.ActivateOutcomeAsync(draft.Id, draft.Version);
        var now = DateTimeOffset.UtcNow;
        await results.ObserveKpiAsync(outcome.Id, "members", new ObserveKpiRequest { Value = 150m, ObservedAt = now.AddMinutes(-1) });
        await results.ObserveKpiAsync(outcome.Id, "members", new ObserveKpiRequest { Value = 120m, ObservedAt = now.AddDays(-2) });
        await results.ObserveKpiAsync(outcome.Id, "churn", new ObserveKpiRequest { Value = 9m, ObservedAt = now.AddDays(-3) });
        await results.ObserveKpiAsync(outcome.Id, "churn", new ObserveKpiRequest { Value = 9.5m, ObservedAt = now.AddMinutes(-1) });
        await results.ObserveKpiAsync(outcome.Id, "beyond", new ObserveKpiRequest { Value = 15m });
        var derived = await Assert.ThrowsAsync<ApiException<Problem>>(() => results.ObserveKpiAsync(outcome.Id, "conversions", new ObserveKpiRequest { Value = 1m }));
        var future = await Assert.ThrowsAsync<ApiException<Problem>>(() => results.ObserveKpiAsync(outcome.Id, "members", new ObserveKpiRequest { Value = 1m, ObservedAt = now.AddDays(1) }));

        var before = (await results.GetKpiProgressAsync(outcome.Id)).Kpis.ToDictionary(k => k.Key);
        var crmKey = await organisation.KeyAsync(Role.Orchestrator, Discipline.Crm);
        var plans = Api.Plans(crmKey);
        var plan = await plans.DraftPlanAsync(new DraftPlanRequest { OutcomeId = outcome.Id, Discipline = Discipline.Crm, Title = "CRM", Orchestrator = "Grace", Budget = new Money { Amount = 10_000m, Currency = "EUR" } });
        var activityRequest = PlanWorld.Activity(budget: 1_000m);
        (activityRequest.StartsOn, activityRequest.EndsOn, activityRequest.KpiKeys) = (Today, Today.AddDays(7), ["conversions"]);
        var activity = await plans.ScheduleActivityAsync(plan.Id, activityRequest);
        await Api.Results(crmKey).RecordResultsAsync(outcome.Id, new RecordResultsRequest
        {
            Rows = [new ResultRowRequest { ActivityId = activity.Id, From = Today, To = Today, Reached = 1_000, Impressions = 2_000, Responses = 100, Conversions = 33, Revenue = new Money { Amount = 300m, Currency = "EUR" }, Cost = new Money { Amount = 0m, Currency = "EUR" } }],
        });
        var after = (await results.GetKpiProgressAsync(outcome.Id)).Kpis.ToDictionary(k => k.Key);

        Assert.Equal(0.31m, before["members"].Elapsed);
        Assert.Equal((150m, 0.5m, 0.5m, KpiTrend.Improving, KpiPace.Ahead, 2L), (before["members"].Current, before["members"].Progress, before["members"].DisplayProgress, before["members"].Trend, before["members"].Pace, before["members"].Observations));
        Assert.Equal((9.5m, 0.1m, KpiTrend.Worsening, KpiPace.Behind), (before["churn"].Current, before["churn"].Progress, before["churn"].Trend, before["churn"].Pace));
        Assert.Equal((1.5m, 1m, KpiTrend.Unknown, KpiPace.Ahead), (before["beyond"].Progress, before["beyond"].DisplayProgress, before["beyond"].Trend, before["beyond"].Pace));
        Assert.Equal((0m, 0m), (before["conversions"].Current, before["conversions"].Progress));
        Assert.Equal(("derived-kpis-are-not-observed", 409), (derived.Result.Rule, derived.StatusCode));
        Assert.Equal(["observedAt"], future.Result.Errors!.Keys);
        Assert.Equal((33m, 0.33m, KpiPace.OnPace), (after["conversions"].Current, after["conversions"].Progress, after["conversions"].Pace));
        Assert.Equal(((decimal?)null, (decimal?)null, KpiPace.Unknown), (after["roi"].Current, after["roi"].Progress, after["roi"].Pace));
        Assert.Equal(2, (await results.ListKpiObservationsAsync(outcome.Id, "members")).Items.Count);
    }

    [Fact]
    public async Task only_conductors_observe_kpis_everyone_in_the_organisation_reads_progress_and_no_one_else_sees_either()
    {
        var organisation = await Api.NewOrganisationAsync();
        var conductor = Api.Results(await organisation.KeyAsync(Role.Conductor));
        var outcome = await Api.Outcomes(await organisation.KeyAsync(Role.Conductor)).DefineOutcomeAsync(OutcomeSamples.Define(kpis: Kpi("members", 100m, 200m)));
        var observation = await conductor.ObserveKpiAsync(outcome.Id, "members", new ObserveKpiRequest { Value = 120m }, "observe-1");
        var retried = await conductor.ObserveKpiAsync(outcome.Id, "members", new ObserveKpiRequest { Value = 120m }, "observe-1");
        var cmo = Api.Results(await organisation.KeyAsync(Role.Cmo));
        var orchestrator = Api.Results(await organisation.KeyAsync(Role.Orchestrator, Discipline.Crm));
        var foreign = Api.Results(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Admin));
        var observe = new ObserveKpiRequest { Value = 1m };

        Assert.Equal(observation.Id, retried.Id);
        Assert.Equal(observation.Id, (await cmo.GetKpiObservationAsync(outcome.Id, "members", observation.Id)).Id);
        Assert.Equal(1L, (await cmo.GetKpiProgressAsync(outcome.Id)).Kpis[0].Observations);
        Assert.Equal(403, await ApiCalls.StatusOf(() => cmo.ObserveKpiAsync(outcome.Id, "members", observe)));
        Assert.Equal(403, await ApiCalls.StatusOf(() => orchestrator.ObserveKpiAsync(outcome.Id, "members", observe)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => conductor.ObserveKpiAsync(outcome.Id, "nope", observe)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => foreign.ObserveKpiAsync(outcome.Id, "members", observe)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => foreign.GetKpiProgressAsync(outcome.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => foreign.ListKpiObservationsAsync(outcome.Id, "members")));
        Assert.Equal(404, await ApiCalls.StatusOf(() => foreign.GetKpiObservationAsync(outcome.Id, "members", observation.Id)));
        Assert.Single((await cmo.ListKpiObservationsAsync(outcome.Id, "members")).Items);
    }

    [Fact]
    public async Task an_activity_may_target_a_segment_of_its_organisation_only()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var segment = await Api.Segments(await world.Organisation.KeyAsync(Role.Conductor)).DefineSegmentAsync(
            new DefineSegmentRequest { Name = "Lapsed members", Size = 10, Margin = new Money { Amount = 100m, Currency = "EUR" }, RetentionRate = 0.8m, DiscountRate = 0.1m });
        var foreign = await Api.Segments(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Conductor)).DefineSegmentAsync(
            new DefineSegmentRequest { Name = "Theirs", Size = 10, Margin = new Money { Amount = 100m, Currency = "EUR" }, RetentionRate = 0.8m, DiscountRate = 0.1m });
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var targeted = PlanWorld.Activity();
        targeted.SegmentId = segment.Id;
        var theirs = PlanWorld.Activity();
        theirs.SegmentId = foreign.Id;

        var activity = await crm.ScheduleActivityAsync(plan.Id, targeted);
        var refused = await Assert.ThrowsAsync<ApiException<Problem>>(() => crm.ScheduleActivityAsync(plan.Id, theirs));

        Assert.Equal(segment.Id, (await crm.GetActivityAsync(plan.Id, activity.Id)).SegmentId);
        Assert.Equal(["segmentId"], refused.Result.Errors!.Keys);
        Assert.Single((await crm.GetPlanAsync(plan.Id)).Activities);
    }

    [Fact]
    public async Task an_outcome_serves_segments_of_its_organisation_by_id()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var segment = await Api.Segments(key).DefineSegmentAsync(new DefineSegmentRequest { Name = "Lapsed", Size = 10, Margin = new Money { Amount = 100m, Currency = "EUR" }, RetentionRate = 0.8m, DiscountRate = 0.1m });
        var serving = OutcomeSamples.Define(kpis: OutcomeSamples.Clv());
        serving.SegmentIds = [segment.Id];
        var unknown = OutcomeSamples.Define(kpis: OutcomeSamples.Clv());
        unknown.SegmentIds = [segment.Id, Guid.NewGuid()];

        var outcome = await Api.Outcomes(key).DefineOutcomeAsync(serving);
        var refused = await Assert.ThrowsAsync<ApiException<Problem>>(() => Api.Outcomes(key).DefineOutcomeAsync(unknown));

        Assert.Equal([segment.Id], (await Api.Outcomes(key).GetOutcomeAsync(outcome.Id)).SegmentIds);
        Assert.Equal(["segmentIds[1]"], refused.Result.Errors!.Keys);
        Assert.Single((await Api.Outcomes(key).ListOutcomesAsync()).Items);
    }
}
