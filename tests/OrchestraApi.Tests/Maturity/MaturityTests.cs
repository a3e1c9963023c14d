using System.Net;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;
using OrchestraApi.Tests.Webhooks;

namespace OrchestraApi.Tests.Maturity;

/// <summary>The maturity stage from evidence (issue 22): one organisation scripted through every stage, each criterion's value computed here from what the API answered.</summary>
public sealed class MaturityTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private static readonly DateOnly Yesterday = Today.AddDays(-1);

    [Fact]
    public async Task an_organisation_climbs_stage_by_stage_as_its_records_show_it_and_as_of_and_the_trend_agree_with_that_history()
    {
        var organisation = await Api.NewOrganisationAsync();
        var admin = await organisation.KeyAsync(Role.Admin);
        var maturity = Api.Maturity(await organisation.KeyAsync(Role.Cmo));

        // Nothing recorded: below the first stage, every criterion unmeasured, and the first stage's three missing.
        var empty = await maturity.GetMaturityAsync();
        Assert.Equal(MaturityStage.NotYetClosedLoop, empty.Stage);
        Assert.Equal(11, empty.Criteria.Count);
        Assert.All(empty.Criteria.Where(c => c.Key != "events-consumed"), c => Assert.Equal((null, false), (c.Value, c.Met)));
        Assert.Equal(MaturityStage.ClosedLoop, empty.Next!.Stage);
        Assert.Equal(3, empty.Next.Missing.Count);
        Assert.Equal(12, empty.Trend.Count);
        Assert.All(empty.Trend, p => Assert.Equal(MaturityStage.NotYetClosedLoop, p.Stage));

        // An active outcome, four plans, five activities that ended (one of them 20 days ago), results for three of them, a trigger watching it.
        var segment = await Api.Segments(admin).DefineSegmentAsync(new DefineSegmentRequest { Name = "Lapsed members", Size = 1_000, Margin = new Money { Amount = 100m, Currency = "EUR" }, RetentionRate = 0.8m, DiscountRate = 0.1m });
        var define = OutcomeSamples.Define(kpis:
        [
            new KpiDefinition { Key = "members", Name = "Loyalty members", Unit = "customers", Baseline = 100m, Target = 200m, Direction = KpiDirection.Up },
            new KpiDefinition { Key = "clv", Name = "Member CLV", Unit = "EUR", Baseline = 200m, Target = 500m, Direction = KpiDirection.Up, Source = KpiSource.SegmentClv, SegmentId = segment.Id },
        ]);
        define.StartsOn = Today.AddDays(-60);
        define.EndsOn = Today.AddDays(60);
        var outcomes = Api.Outcomes(admin);
        var draft = await outcomes.DefineOutcomeAsync(define);
        var outcome = (await outcomes.ActivateOutcomeAsync(draft.Id, draft.Version)).Id;
        var plans = new Dictionary<Discipline, (PlansClient Plans, ConnectionsClient Connections, PlanDetails Plan)>();
        var activities = new List<ActivityDetails>();
        foreach (var discipline in Enum.GetValues<Discipline>())
        {
            var key = await organisation.KeyAsync(Role.Orchestrator, discipline);
            var side = Api.Plans(key);
            var plan = await side.DraftPlanAsync(new DraftPlanRequest { OutcomeId = outcome, Discipline = discipline, Title = $"{discipline} plan", Orchestrator = "Grace", Budget = new Money { Amount = 10_000m, Currency = "EUR" } });
            plans[discipline] = (side, Api.Connections(key), plan);
            activities.Add(await ScheduleAsync(side, plan.Id, $"{discipline} burst", Today.AddDays(-8), Yesterday));
        }

        var late = await ScheduleAsync(plans[Discipline.Crm].Plans, plans[Discipline.Crm].Plan.Id, "Late report", Today.AddDays(-27), Today.AddDays(-20));
        var results = Api.Results(admin);
        var first = await RecordAsync(results, outcome, activities[0], activities[1], activities[2]);
        await results.ObserveKpiAsync(outcome, "members", new ObserveKpiRequest { Value = 120m });
        var triggers = Api.Triggers(admin);
        var trigger = await triggers.DefineTriggerAsync(new DefineTriggerRequest
        {
            Name = "Members halfway",
            Condition = new TriggerCondition { Kind = TriggerKind.KpiProgressCrossed, Kpi = "members", Progress = 50 },
            Scope = new TriggerScope { OutcomeIds = [outcome] },
        });
        var m1 = DateTimeOffset.UtcNow;
        var one = await maturity.GetMaturityAsync();

        // 3 of 5 ended activities have results: the loop is not closed, so the stage stays below it although a trigger watches every outcome.
        Assert.Equal(MaturityStage.NotYetClosedLoop, one.Stage);
        Assert.Equal((60m, false), Value(one, "results-coverage"));
        Assert.Equal("2 of 5 activities that ended in the last 90 days have no results.", Criterion(one, "results-coverage").Explanation);
        Assert.Equal((100m, true), Value(one, "trigger-coverage"));
        Assert.Equal((100m, true), Value(one, "kpi-freshness"));
        var firstAt = (await results.ListResultsAsync(outcome, batchId: first.BatchId)).Items[0].RecordedAt;
        Assert.Equal((Median([Days(firstAt - EndOf(Yesterday))]), true), Value(one, "end-to-first-result-days"));

        // The other two: every ended activity has results, the median wait is the three first ones' — closed loop.
        var second = await RecordAsync(results, outcome, activities[3], late);
        var m2 = DateTimeOffset.UtcNow;
        var two = await maturity.GetMaturityAsync();
        var secondAt = (await results.ListResultsAsync(outcome, batchId: second.BatchId)).Items[0].RecordedAt;
        List<decimal> waits = [.. Enumerable.Repeat(Days(firstAt - EndOf(Yesterday)), 3), Days(secondAt - EndOf(Yesterday)), Days(secondAt - EndOf(Today.AddDays(-20)))];
        Assert.Equal(MaturityStage.ClosedLoop, two.Stage);
        Assert.Equal((100m, true), Value(two, "results-coverage"));
        Assert.Equal((Median(waits), true), Value(two, "end-to-first-result-days"));
        Assert.Equal(MaturityStage.EventDriven, two.Next!.Stage);
        Assert.Contains("No trigger fired in the last 30 days.", two.Next.Missing);

        // A firing caused by an observation, its condition cleared again (acted on), the feed read: event-driven.
        await results.ObserveKpiAsync(outcome, "members", new ObserveKpiRequest { Value = 160m });
        var fired = await ApiCalls.UntilAsync(async () => (await triggers.ListTriggerFiringsAsync(trigger.Id)).Items.SingleOrDefault());
        await results.ObserveKpiAsync(outcome, "members", new ObserveKpiRequest { Value = 130m });
        var cleared = await ApiCalls.UntilAsync(async () => (await triggers.ListTriggerFiringsAsync(trigger.Id)).Items.SingleOrDefault(f => f.State == TriggerFiringState.Cleared));
        await Api.WaitForProjectionsAsync();
        var cause = (await Api.Events(admin).ListEventsAsync(after: fired.Positions[^1] - 1, limit: 1)).Items.Single();
        var m3 = DateTimeOffset.UtcNow;
        var three = await maturity.GetMaturityAsync();
        Assert.Equal(MaturityStage.EventDriven, three.Stage);
        Assert.Equal((100m, true), Value(three, "firings-acted-on"));
        Assert.Equal((Math.Round((decimal)(fired.FiredAt - cause.Time).TotalSeconds, 2), true), Value(three, "firing-latency-seconds"));
        Assert.True(Criterion(three, "events-consumed").Met);
        Assert.Equal("The condition no longer holds.", cleared.ClearedBecause);
        Assert.Equal(MaturityStage.RelationshipDriven, three.Next!.Stage);
        Assert.False(Criterion(three, "four-disciplines-connected").Met);

        // Every plan approved, every discipline in an agreed connection, results within hours, customer value measured: relationship-driven.
        foreach (var (_, side) in plans)
        {
            var submitted = await side.Plans.SubmitPlanAsync(side.Plan.Id, (await side.Plans.GetPlanAsync(side.Plan.Id)).Version);
            await Api.Plans(admin).ApprovePlanAsync(side.Plan.Id, submitted.Version);
        }

        var conductor = Api.Connections(await organisation.KeyAsync(Role.Conductor));
        foreach (var (from, to) in new[] { (Discipline.Advertising, Discipline.Crm), (Discipline.PublicRelations, Discipline.Digital) })
        {
            var connection = await conductor.DefineConnectionAsync(outcome, new DefineConnectionRequest
            {
                Kind = ConnectionKind.SharedMessage, Title = $"{from} and {to} say the same", Message = "Come back",
                From = new ConnectionSide { PlanId = plans[from].Plan.Id }, To = new ConnectionSide { PlanId = plans[to].Plan.Id },
            });
            var acknowledged = await plans[from].Connections.AcknowledgeConnectionAsync(outcome, connection.Id, connection.Version, new AcknowledgeConnectionRequest());
            await plans[to].Connections.AcknowledgeConnectionAsync(outcome, connection.Id, acknowledged.Version, new AcknowledgeConnectionRequest());
        }

        var four = await maturity.GetMaturityAsync();
        var latencies = new[] { firstAt, secondAt }.Select(at => Math.Round((decimal)(at - EndOf(Yesterday)).TotalHours, 2)).ToList();
        Assert.Equal(MaturityStage.RelationshipDriven, four.Stage);
        Assert.Null(four.Next);
        Assert.Equal((100m, true), Value(four, "four-disciplines-connected"));
        Assert.Equal((100m, true), Value(four, "acknowledged-in-time"));
        Assert.Equal((Median(latencies), true), Value(four, "result-latency-hours"));
        Assert.Equal((100m, true), Value(four, "customer-measure"));
        Assert.All(four.Criteria, c => Assert.True(c.Met, c.Key));

        // As of each earlier moment, the stage it had then; the trend's points are what as-of answers for them.
        Assert.Equal(
            [MaturityStage.NotYetClosedLoop, MaturityStage.ClosedLoop, MaturityStage.EventDriven],
            [(await maturity.GetMaturityAsync(m1)).Stage, (await maturity.GetMaturityAsync(m2)).Stage, (await maturity.GetMaturityAsync(m3)).Stage]);
        Assert.Equal(Value(one, "results-coverage"), Value(await maturity.GetMaturityAsync(m1), "results-coverage"));
        var point = four.Trend[^1];
        Assert.Equal(new DateTimeOffset(Today.Year, Today.Month, 1, 0, 0, 0, TimeSpan.Zero), point.At);
        var then = await maturity.GetMaturityAsync(point.At);
        Assert.Equal((then.Stage, then.Criteria.Count(c => c.Met)), (point.Stage, point.CriteriaMet));
        Assert.Equal(four.Trend.Select(p => p.At).Order(), four.Trend.Select(p => p.At));
    }

    [Fact]
    public async Task only_cmos_and_admins_read_it_each_organisation_its_own_and_a_bad_moment_is_a_400()
    {
        var organisation = await Api.NewOrganisationAsync();
        var define = OutcomeSamples.Define(kpis: [OutcomeSamples.Clv()]);
        var outcome = await Api.Outcomes(await organisation.KeyAsync(Role.Admin)).DefineOutcomeAsync(define);
        await using var receiver = await Receiver.StartAsync();
        await Api.Webhooks(await organisation.KeyAsync(Role.Admin)).RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = receiver.Url, Types = ["orchestra.outcome.activated.v1"] });
        await Api.Outcomes(await organisation.KeyAsync(Role.Admin)).ActivateOutcomeAsync(outcome.Id, outcome.Version);
        await receiver.UntilAsync(r => r.Count == 1);

        // The delivery counts once it is recorded as delivered: events are consumed, though nobody read the feed.
        var consumed = await ApiCalls.UntilAsync(async () =>
            (await Api.Maturity(await organisation.KeyAsync(Role.Admin)).GetMaturityAsync()).Criteria.SingleOrDefault(c => c.Key == "events-consumed" && c.Value is not null));
        Assert.Equal((100m, true), (consumed.Value, consumed.Met));
        Assert.Equal("1 of 1 webhook deliveries of the last 30 days arrived within 7 days; the feed was not read that day or the day before.", consumed.Explanation);

        Assert.Equal(200, await ApiCalls.StatusOf(async () => await Api.Maturity(await organisation.KeyAsync(Role.Admin)).GetMaturityAsync()));
        Assert.Equal(200, await ApiCalls.StatusOf(async () => await Api.Maturity(await organisation.KeyAsync(Role.Cmo)).GetMaturityAsync()));
        foreach (var (role, disciplines) in new (Role, Discipline[])[] { (Role.Conductor, []), (Role.Orchestrator, [Discipline.Crm]), (Role.Agency, [Discipline.Digital]) })
        {
            Assert.Equal(403, await ApiCalls.StatusOf(async () => await Api.Maturity(await organisation.KeyAsync(role, disciplines)).GetMaturityAsync()));
        }

        using var anonymous = Api.Http(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/maturity", UriKind.Relative))).StatusCode);

        // Another organisation's assessment counts none of this one's outcomes.
        var other = await Api.Maturity(await (await Api.NewOrganisationAsync()).KeyAsync(Role.Cmo)).GetMaturityAsync();
        Assert.Equal("No outcome is active.", other.Criteria.Single(c => c.Key == "trigger-coverage").Explanation);
        var mine = await Api.Maturity(await organisation.KeyAsync(Role.Cmo)).GetMaturityAsync();
        Assert.StartsWith("1 of 1 active outcomes have no enabled trigger", mine.Criteria.Single(c => c.Key == "trigger-coverage").Explanation, StringComparison.Ordinal);

        using var http = Api.Http(await organisation.KeyAsync(Role.Cmo));
        foreach (var asOf in new[] { DateTimeOffset.UtcNow.AddDays(1).ToString("O"), "yesterday", "2026-13-45T00:00:00Z", "%00" })
        {
            using var response = await http.GetAsync(new Uri($"/maturity?asOf={Uri.EscapeDataString(asOf)}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("asOf", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private static Task<ActivityDetails> ScheduleAsync(PlansClient plans, Guid planId, string name, DateOnly starts, DateOnly ends)
    {
        var request = PlanWorld.Activity(name, budget: 1_000m);
        (request.StartsOn, request.EndsOn, request.KpiKeys) = (starts, ends, ["members"]);
        return plans.ScheduleActivityAsync(planId, request);
    }

    /// <summary>One batch: a row for each activity covering its last day.</summary>
    private static Task<ResultBatch> RecordAsync(ResultsClient results, Guid outcome, params ActivityDetails[] activities) =>
        results.RecordResultsAsync(outcome, new RecordResultsRequest
        {
            Rows = [.. activities.Select(a => new ResultRowRequest
            {
                ActivityId = a.Id, From = a.EndsOn, To = a.EndsOn, Reached = 100, Impressions = 200, Responses = 10, Conversions = 2,
                Revenue = new Money { Amount = 50m, Currency = "EUR" }, Cost = new Money { Amount = 10m, Currency = "EUR" },
            })],
        });

    private static DateTimeOffset EndOf(DateOnly lastDay) => new(lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static decimal Days(TimeSpan wait) => Math.Max(0, (decimal)wait.TotalDays);

    private static decimal Median(List<decimal> values)
    {
        values.Sort();
        var middle = values.Count / 2;
        return Math.Round(values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2, 2);
    }

    private static MaturityCriterion Criterion(MaturityReport report, string key) => report.Criteria.Single(c => c.Key == key);

    private static (decimal? Value, bool Met) Value(MaturityReport report, string key) => (Criterion(report, key).Value, Criterion(report, key).Met);
}
