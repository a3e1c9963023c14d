using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Platform;
using OrchestraApi.Sdk;
using OrchestraApi.Status;
using OrchestraApi.Tests.Connections;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;
using Money = OrchestraApi.Sdk.Money;

namespace OrchestraApi.Tests.Status;

/// <summary>
/// Every command's change reaches those who follow statuses (the portfolio and the live stream listen to
/// <see cref="OutcomeChanges"/>), read from the events it appended, not from its answer's type (issue 19).
/// </summary>
public sealed class ChangeSignalTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = new(2027, 3, 1);

    /// <summary>Commands that change no outcome's inputs, and why.</summary>
    private static readonly Dictionary<string, string> Unsignalled = new()
    {
        ["CreateOrganisation"] = "an organisation is not an outcome's input",
        ["RegisterWebhookEndpoint"] = "a webhook endpoint is not an outcome's input",
        ["DefineTrigger"] = "a trigger is not an outcome's input (its firings are evaluated from the outcome, not the other way round)",
        ["ReviseTrigger"] = "a trigger is not an outcome's input",
        ["CompleteTask"] = "a task is not an outcome's input (its events name the outcome, the feed's partition, so watchers recompute an unchanged status)",
        ["DismissTask"] = "a task is not an outcome's input (as CompleteTask)",
        ["ReviseWebhookEndpoint"] = "a webhook endpoint is not an outcome's input",
        ["RotateWebhookSecret"] = "a webhook endpoint is not an outcome's input",
        ["RevokePreviousWebhookSecret"] = "a webhook endpoint is not an outcome's input",
        ["ReplayWebhookDelivery"] = "a delivery is not an outcome's input",
        ["ReplayWebhookEvents"] = "a delivery is not an outcome's input",
        ["SendTestWebhook"] = "a delivery is not an outcome's input",
    };

    [Fact]
    public async Task every_command_type_signals_the_outcome_it_changed_and_the_portfolio_follows()
    {
        var heard = new ConcurrentQueue<(string? Tenant, Guid? Outcome)>();
        Api.Factory.Services.GetRequiredService<OutcomeChanges>().Listen((tenant, outcome) => heard.Enqueue((tenant, outcome)));
        var w = await ConnectionWorld.CreateAsync(Api);
        var tenant = w.World.Organisation.Id.ToString();
        var outcomes = await w.World.Organisation.OutcomesAsAsync(Role.Conductor);
        var conductorKey = await w.World.Organisation.KeyAsync(Role.Conductor);
        var exercised = new List<string>();

        async Task<T> Signals<T>(string command, Guid? outcome, Func<Task<T>> act)
        {
            heard.Clear();
            var answer = await act();
            Assert.True(heard.Contains((tenant, outcome)), $"{command} did not signal {outcome?.ToString() ?? "every outcome"}: heard {string.Join(", ", heard)}");
            exercised.Add(command);
            return answer;
        }

        var o = w.OutcomeId;
        var crm = w.Sides[Discipline.Crm].Plans;
        var ad = w.Sides[Discipline.Advertising].Plans;
        var digital = w.Sides[Discipline.Digital].Plans;
        var tv = await Signals("ScheduleActivity", o, () => w.ActivityAsync(Discipline.Advertising, "TV burst", March1, March1.AddDays(9)));
        var mail = await w.ActivityAsync(Discipline.Crm, "Win-back emails", March1.AddDays(20), March1.AddDays(30));
        mail = await Signals("RescheduleActivity", o, () => crm.RescheduleActivityAsync(mail.PlanId, mail.Id, mail.Version, new RescheduleActivityRequest { StartsOn = March1.AddDays(21), EndsOn = March1.AddDays(31) }));
        mail = await Signals("RebudgetActivity", o, () => crm.RebudgetActivityAsync(mail.PlanId, mail.Id, mail.Version, new RebudgetActivityRequest { Budget = new Money { Amount = 900m, Currency = "EUR" } }));
        var plan = await Signals("RevisePlan", o, async () => await crm.RevisePlanAsync(mail.PlanId, await crm.VersionOfAsync(mail.PlanId), new RevisePlanRequest { Title = "CRM plan, revised" }));
        plan = await Signals("SubmitPlan", o, () => crm.SubmitPlanAsync(plan.Id, plan.Version));
        plan = await Signals("ReturnPlan", o, () => w.World.Conductor.ReturnPlanAsync(plan.Id, plan.Version, new ReturnPlanRequest { Comments = "Tighter dates." }));
        plan = await crm.SubmitPlanAsync(plan.Id, plan.Version);
        await Signals("ApprovePlan", o, () => w.World.Conductor.ApprovePlanAsync(plan.Id, plan.Version));
        mail = await Signals("StartActivity", o, () => crm.StartActivityAsync(mail.PlanId, mail.Id, mail.Version));
        await Signals("CompleteActivity", o, () => crm.CompleteActivityAsync(mail.PlanId, mail.Id, mail.Version));

        var c = await Signals("DefineConnection", o, () => w.DependencyAsync(tv, mail));
        c = await Signals("ReviseConnection", o, () => w.Conductor.ReviseConnectionAsync(o, c.Id, c.Version, new ReviseConnectionRequest { LagDays = 2 }));
        c = await Signals("AcknowledgeConnection", o, () => w.Sides[Discipline.Advertising].Connections.AcknowledgeConnectionAsync(o, c.Id, c.Version, new AcknowledgeConnectionRequest()));
        c = await Signals("ContestConnection", o, () => w.Sides[Discipline.Crm].Connections.ContestConnectionAsync(o, c.Id, c.Version, new ContestConnectionRequest { Reason = "Too tight." }));
        await Signals("WithdrawConnection", o, () => w.Conductor.WithdrawConnectionAsync(o, c.Id, c.Version, new CancelRequest { Reason = "Rethought." }));
        var met = await w.DependencyAsync(tv, mail, title: "Met one");
        met = await w.Sides[Discipline.Advertising].Connections.AcknowledgeConnectionAsync(o, met.Id, met.Version, new AcknowledgeConnectionRequest());
        met = await w.Sides[Discipline.Crm].Connections.AcknowledgeConnectionAsync(o, met.Id, met.Version, new AcknowledgeConnectionRequest());
        await Signals("MarkConnectionMet", o, () => w.Conductor.MarkConnectionMetAsync(o, met.Id, met.Version));
        var broken = await w.DependencyAsync(tv, mail, title: "Broken one");
        await Signals("MarkConnectionBroken", o, () => w.Conductor.MarkConnectionBrokenAsync(o, broken.Id, broken.Version, new CancelRequest { Reason = "Missed." }));
        tv = await ad.GetActivityAsync(tv.PlanId, tv.Id);
        await Signals("CancelActivity", o, () => ad.CancelActivityAsync(tv.PlanId, tv.Id, tv.Version, new CancelRequest { Reason = "Slot lost." }));

        var pilot = await Signals("DraftPlan", o, () => digital.DraftPlanAsync(w.World.Plan(Discipline.Digital, 10_000m, "Two cities")));
        await digital.ScheduleActivityAsync(pilot.Id, PlanWorld.Activity("City test", 1_000m, Channel.PaidSearch));
        await Signals("PromotePilot", o, async () => await digital.PromotePilotAsync(pilot.Id, await digital.VersionOfAsync(pilot.Id)));
        var dropped = await digital.DraftPlanAsync(w.World.Plan(Discipline.Digital, 10_000m, "Dropped idea"));
        await Signals("CancelPlan", o, () => digital.CancelPlanAsync(dropped.Id, dropped.Version, new CancelRequest { Reason = "Not now." }));

        var results = Api.Results(await w.World.Organisation.KeyAsync(Role.Orchestrator, Discipline.Crm));
        await Signals("RecordResults", o, () => results.RecordResultsAsync(o, new RecordResultsRequest
        {
            Rows = [new ResultRowRequest { ActivityId = mail.Id, From = March1, To = March1, Reached = 10, Impressions = 10, Responses = 1, Conversions = 1, Revenue = new Money { Amount = 5m, Currency = "EUR" }, Cost = new Money { Amount = 1m, Currency = "EUR" } }],
        }));
        await Signals("ObserveKpi", o, () => Api.Results(conductorKey).ObserveKpiAsync(o, w.World.Outcome.Kpis[0].Key, new ObserveKpiRequest { Value = 430m }));
        await Signals("SaveBaseline", o, () => Api.Baselines(conductorKey).SaveBaselineAsync(o, new SaveBaselineRequest { Name = "Signed off" }));

        heard.Clear();
        var other = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("Second outcome", kpis: OutcomeSamples.Clv()));
        Assert.Contains((tenant, (Guid?)other.Id), heard);
        exercised.Add("DefineOutcome");
        other = await Signals("AddKpi", other.Id, () => outcomes.AddKpiAsync(other.Id, other.Version, OutcomeSamples.Churn()));
        other = await Signals("ReviseKpi", other.Id, () => outcomes.ReviseKpiAsync(other.Id, "churn", other.Version, new ReviseKpiRequest { Name = "Churn" }));
        other = await Signals("ReviseOutcome", other.Id, () => outcomes.ReviseOutcomeAsync(other.Id, other.Version, new ReviseOutcomeRequest { Title = "Second outcome, revised" }));
        other = await Signals("ActivateOutcome", other.Id, () => outcomes.ActivateOutcomeAsync(other.Id, other.Version));
        await Signals("CloseOutcome", other.Id, () => outcomes.CloseOutcomeAsync(other.Id, other.Version, new CloseOutcomeRequest { Result = ClosingResult.Cancelled, Reason = "Merged." }));

        var segments = Api.Segments(conductorKey);
        var segment = await Signals("DefineSegment", null, () => segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "Lapsed", Size = 10, Margin = new Money { Amount = 10m, Currency = "EUR" }, RetentionRate = 0.5m, DiscountRate = 0.1m }));
        await Signals("ReviseSegment", null, () => segments.ReviseSegmentAsync(segment.Id, segment.Version, new ReviseSegmentRequest { Size = 12 }));

        // The status policy is every outcome's input; a firing's flag is its outcome's (the evaluator's commit signals its firing the same way).
        await Signals("ReviseStatusPolicy", null, () => Api.Status(conductorKey).ReviseStatusPolicyAsync(1, new OrchestraApi.Sdk.ReviseStatusPolicyRequest { AcknowledgementDays = 4 }));
        var triggers = Api.Triggers(conductorKey);
        var flagging = await triggers.DefineTriggerAsync(new DefineTriggerRequest
        {
            Name = "Anywhere below the moon",
            Condition = new TriggerCondition { Kind = TriggerKind.KpiProgressCrossed, Kpi = w.World.Outcome.Kpis[0].Key, Progress = 1000, Direction = Direction.Below },
            Scope = new TriggerScope { OutcomeIds = [o] },
            Actions = new TriggerActions { Flag = new FlagAction { Level = RagLevel.Red } },
        });
        heard.Clear();
        var firing = await ApiCalls.UntilAsync(async () => (await triggers.ListTriggerFiringsAsync(flagging.Id)).Items.SingleOrDefault());
        Assert.Contains((tenant, (Guid?)o), heard);
        await Signals("DismissTriggerFlag", o, () => triggers.DismissTriggerFlagAsync(flagging.Id, firing.Id, firing.Version, new DismissTriggerFlagRequest()));

        var commands = typeof(ICommand<>).Assembly.GetTypes()
            .Where(t => !t.IsInterface && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICommand<>)))
            .Select(t => t.Name).Where(n => !Unsignalled.ContainsKey(n)).Order(StringComparer.Ordinal);
        Assert.Equal(commands, exercised.Distinct().Order(StringComparer.Ordinal));
        var portfolio = await Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo)).GetPortfolioAsync();
        Assert.Contains(portfolio.Items, i => i.OutcomeId == other.Id && i.State == OutcomeStatus.Cancelled);
    }
}
