using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Triggers;

/// <summary>The schedule-lane condition kinds (issue 22), each through the API: it fires on the change that makes it true, names that change, and not before.</summary>
public sealed class TriggerKindTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task spend_activity_metric_connection_trouble_ended_without_results_and_rag_each_fire_on_their_own_change_and_not_before()
    {
        var organisation = await Api.NewOrganisationAsync();
        var admin = await organisation.KeyAsync(Role.Admin);
        var define = OutcomeSamples.Define(kpis: [new KpiDefinition { Key = "members", Name = "Loyalty members", Unit = "customers", Baseline = 100m, Target = 200m, Direction = KpiDirection.Up }]);
        (define.StartsOn, define.EndsOn) = (Today.AddDays(-60), Today.AddDays(60));
        var outcomes = Api.Outcomes(admin);
        var draft = await outcomes.DefineOutcomeAsync(define);
        var outcome = (await outcomes.ActivateOutcomeAsync(draft.Id, draft.Version)).Id;
        var plans = Api.Plans(admin);
        var crm = await plans.DraftPlanAsync(new DraftPlanRequest { OutcomeId = outcome, Discipline = Discipline.Crm, Title = "CRM plan", Orchestrator = "Grace", Budget = new Money { Amount = 10_000m, Currency = "EUR" } });
        var ads = await plans.DraftPlanAsync(new DraftPlanRequest { OutcomeId = outcome, Discipline = Discipline.Advertising, Title = "Ads plan", Orchestrator = "Ada", Budget = new Money { Amount = 10_000m, Currency = "EUR" } });
        var ended = await ScheduleAsync(plans, crm.Id, "Spring mailing", Today.AddDays(-10), Today.AddDays(-3));
        var mail = await ScheduleAsync(plans, crm.Id, "Win-back emails", Today, Today.AddDays(20));
        var tv = await ScheduleAsync(plans, ads.Id, "TV burst", Today.AddDays(-7), Today.AddDays(-1));
        var connections = Api.Connections(admin);
        var dependency = await connections.DefineConnectionAsync(outcome, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Dependency, Title = "Emails follow the burst", From = new ConnectionSide { PlanId = ads.Id, ActivityId = tv.Id }, To = new ConnectionSide { PlanId = crm.Id, ActivityId = mail.Id },
        });

        var triggers = Api.Triggers(admin);
        async Task<TriggerDetails> Define(string name, TriggerCondition condition) =>
            await triggers.DefineTriggerAsync(new DefineTriggerRequest { Name = name, Condition = condition, Scope = new TriggerScope { OutcomeIds = [outcome] } });
        var spend = await Define("CRM plan half spent", new TriggerCondition { Kind = TriggerKind.SpendOverBudget, Level = SpendLevel.Plan, Percent = 50 });
        var losing = await Define("Losing money", new TriggerCondition { Kind = TriggerKind.ActivityMetric, Metric = ActivityMetricName.Roi, Direction = Direction.Below, Value = 0, MinRows = 1 });
        var broken = await Define("Broken hand-over", new TriggerCondition { Kind = TriggerKind.ConnectionTrouble, Trouble = ConnectionTrouble.Broken });
        var silent = await Define("Loop not closing", new TriggerCondition { Kind = TriggerKind.ActivityEndedWithoutResults, Days = 2 });
        var red = await Define("Outcome red", new TriggerCondition { Kind = TriggerKind.RagAtLeast, Rag = RagLevel.Red });
        var results = Api.Results(admin);

        // Time already made one true: the ended mailing has had no results for 3 days (the burst ended only yesterday).
        var loop = Assert.Single(await UntilAsync(triggers, silent.Id, f => f.Count == 1));
        Assert.Equal($"activity {ended.Id}", loop.Subject);

        // Results for the ended mailing and a profitable start: the loop closes, nothing else is true yet.
        await RecordAsync(results, outcome, (ended, 1_000m, 3_000m), (mail, 3_000m, 4_000m));
        await UntilAsync(triggers, silent.Id, f => f[0].State == TriggerFiringState.Cleared);
        foreach (var untouched in new[] { spend, losing, broken, red })
        {
            Assert.Empty((await triggers.ListTriggerFiringsAsync(untouched.Id)).Items);
        }

        // 6,000 of the CRM plan's 10,000 spent, the emails now losing money: both fire on that batch and name it.
        var batch = await RecordAsync(results, outcome, (mail, 2_000m, 0m));
        var spent = Assert.Single(await UntilAsync(triggers, spend.Id, f => f.Count == 1));
        var loss = Assert.Single(await UntilAsync(triggers, losing.Id, f => f.Count == 1));
        await Api.WaitForProjectionsAsync();
        var feed = Api.Events(admin);
        var batchPosition = (await feed.ListEventsAsync(types: "orchestra.results.recorded.v1")).Items.Single(e => e.Subject.EndsWith(batch.BatchId.ToString(), StringComparison.Ordinal)).Position;
        Assert.Equal((batchPosition, batchPosition), (spent.Positions[^1], loss.Positions[^1]));
        Assert.Equal(($"plan {crm.Id}", 60m), (spent.Subject, spent.Values["percent"]));
        Assert.Equal(($"activity {mail.Id}", -0.2m), (loss.Subject, loss.Values["value"]));
        Assert.Empty((await triggers.ListTriggerFiringsAsync(broken.Id)).Items);

        // Spend past the CRM plan's budget: red, and the red trigger fires (time can move a RAG too, so a tick may be first to see it).
        await RecordAsync(results, outcome, (mail, 5_000m, 100m));
        var redFiring = Assert.Single(await UntilAsync(triggers, red.Id, f => f.Count == 1));
        Assert.Equal($"outcome {outcome}", redFiring.Subject);
        Assert.Equal(Rag.Red, (await Api.Status(admin).GetOutcomeStatusAsync(outcome)).Rag);
        Assert.Empty((await triggers.ListTriggerFiringsAsync(broken.Id)).Items);

        // The hand-over marked broken: it fires on that change and names it.
        var marked = await connections.MarkConnectionBrokenAsync(outcome, dependency.Id, dependency.Version, new CancelRequest { Reason = "The burst was pulled." });
        var trouble = Assert.Single(await UntilAsync(triggers, broken.Id, f => f.Count == 1));
        await Api.WaitForProjectionsAsync();
        var brokenPosition = (await feed.ListEventsAsync(types: "orchestra.connection.broken.v1")).Items.Single().Position;
        Assert.Equal(($"connection {dependency.Id}", brokenPosition, ConnectionState.Broken), (trouble.Subject, trouble.Positions[^1], marked.State));

        // Still true for the spend, the loss and the RAG: no second firing (re-arm UntilCleared).
        foreach (var held in new[] { spend, losing, red })
        {
            Assert.Single((await triggers.ListTriggerFiringsAsync(held.Id)).Items);
        }
    }

    private static Task<ActivityDetails> ScheduleAsync(PlansClient plans, Guid planId, string name, DateOnly starts, DateOnly ends)
    {
        var request = PlanWorld.Activity(name, budget: 3_000m);
        (request.StartsOn, request.EndsOn, request.KpiKeys) = (starts, ends, ["members"]);
        return plans.ScheduleActivityAsync(planId, request);
    }

    private static Task<ResultBatch> RecordAsync(ResultsClient results, Guid outcome, params (ActivityDetails Activity, decimal Cost, decimal Revenue)[] rows) =>
        results.RecordResultsAsync(outcome, new RecordResultsRequest
        {
            Rows = [.. rows.Select(r => new ResultRowRequest
            {
                ActivityId = r.Activity.Id, From = r.Activity.StartsOn, To = r.Activity.StartsOn, Reached = 100, Impressions = 200, Responses = 10, Conversions = 2,
                Revenue = new Money { Amount = r.Revenue, Currency = "EUR" }, Cost = new Money { Amount = r.Cost, Currency = "EUR" },
            })],
        });

    private static async Task<List<TriggerFiringDetails>> UntilAsync(TriggersClient triggers, Guid triggerId, Func<List<TriggerFiringDetails>, bool> done)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var now = (await triggers.ListTriggerFiringsAsync(triggerId)).Items.ToList();
        while (!done(now) && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
            now = (await triggers.ListTriggerFiringsAsync(triggerId)).Items.ToList();
        }

        return now;
    }
}
