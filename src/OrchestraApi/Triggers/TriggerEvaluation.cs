using System.Globalization;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Results;
using OrchestraApi.Segments;
using OrchestraApi.Status;

namespace OrchestraApi.Triggers;

/// <summary>A subject a trigger's condition holds for, with the evidence.</summary>
/// <param name="Subject">`outcome {id}`, `kpi {key}`, `activity {id}`, `plan {id}`, `discipline {name}` or `connection {id}`.</param>
public sealed record Holding(string Subject, string Summary, IReadOnlyDictionary<string, decimal?> Values, IReadOnlyList<Discipline> Disciplines);

/// <summary>What an outcome's conditions read at a moment; the schedule and the status report only when a condition needs them.</summary>
public sealed record TriggerInputs(
    Outcome Outcome, OutcomeResults? Results, IReadOnlyDictionary<Guid, Segment> Segments, DateTimeOffset At, Func<Schedule> Schedule, Func<OutcomeStatusReport> Report, StatusPolicy Policy)
{
    public static TriggerInputs Of(StatusInputs inputs) => new(inputs.Outcome, inputs.Results, inputs.Segments, inputs.At, () => inputs.Schedule, inputs.Report, inputs.Policy);

    /// <summary>What KPI conditions read, now: the outcome, its results and segments — without its schedule.</summary>
    public static async Task<TriggerInputs?> KpisAsync(Marten.IQuerySession session, Guid outcomeId, DateTimeOffset now, CancellationToken ct)
    {
        // One round trip for the outcome, its results and the organisation's policy; the segments its KPIs name follow.
        var batch = session.CreateBatchQuery();
        var outcomeTask = batch.Load<Outcome>(outcomeId);
        var resultsTask = batch.Load<OutcomeResults>(OutcomeResults.IdOf(outcomeId));
        var policyTask = batch.Load<StatusPolicy>(StatusPolicy.IdOf(session.TenantId));
        await batch.Execute(ct);
        if (await outcomeTask is not { } outcome)
        {
            return null;
        }

        var results = await resultsTask;
        var policy = await policyTask ?? StatusPolicy.Default;
        var segmentIds = outcome.Kpis.Select(k => k.SegmentId).OfType<Guid>().Distinct().ToList();
        var segments = segmentIds.Count == 0 ? new Dictionary<Guid, Segment>() : (await session.LoadManyAsync<Segment>(ct, segmentIds)).ToDictionary(s => s.Id);
        return new TriggerInputs(outcome, results, segments, now,
            () => throw new InvalidOperationException("A KPI condition does not read the schedule."), () => throw new InvalidOperationException("A KPI condition does not read the status report."), policy);
    }

    /// <summary>The KPIs' standings at the moment (what the status report shows of them).</summary>
    public IEnumerable<KpiStanding> Kpis() => Outcome.Kpis.Select(k => KpiRules.Standing(k, Outcome, Results, Segments, DateOnly.FromDateTime(At.UtcDateTime), Policy.PaceTolerance));
}

/// <summary>
/// The conditions, pure: (a trigger, what an outcome's conditions read at a moment) → every subject the condition
/// holds for. The live evaluator and the dry run call the same function.
/// </summary>
public static class TriggerEvaluation
{
    /// <summary>Whether a condition reads only the outcome, its results and segments (its KPIs) — not its schedule.</summary>
    public static bool ReadsKpisOnly(TriggerKind? kind) => kind is TriggerKind.KpiBehindPace or TriggerKind.KpiProgressCrossed or TriggerKind.SegmentValueDrop;

    /// <summary>The kinds of resource (the feed's `resource`) whose changes can move a condition of each kind; a trigger's own change always can.</summary>
    private static readonly Dictionary<TriggerKind, HashSet<string>> Resources = new()
    {
        [TriggerKind.KpiBehindPace] = ["outcome", "kpi", "kpi_observation", "results", "segment"],
        [TriggerKind.KpiProgressCrossed] = ["outcome", "kpi", "kpi_observation", "results", "segment"],
        // The segments an outcome's KPIs follow: a KPI's change can start or stop following one.
        [TriggerKind.SegmentValueDrop] = ["outcome", "kpi", "segment"],
        // An activity without results has no ROI, cost per conversion or conversion rate: only results move them.
        [TriggerKind.ActivityMetric] = ["outcome", "results"],
        [TriggerKind.SpendOverBudget] = ["outcome", "plan", "results"],
        [TriggerKind.ConnectionTrouble] = ["outcome", "connection", "activity", "plan"],
        [TriggerKind.AcknowledgementOverdue] = ["outcome", "connection"],
        [TriggerKind.ActivityEndedWithoutResults] = ["outcome", "activity", "results"],
    };

    /// <summary>Whether a change of this kind of resource can move a KPI condition (what the evaluator's KPI lane is marked for).</summary>
    public static bool MovesKpis(string resource) => Reads(TriggerKind.KpiProgressCrossed, resource);

    /// <summary>Whether a change of this kind of resource (the feed's `resource`) can move a condition of this kind.</summary>
    public static bool Reads(TriggerKind? kind, string resource) =>
        resource == "trigger" || kind is not { } k || !Resources.TryGetValue(k, out var read) || read.Contains(resource);

    public static IReadOnlyList<Holding> Holdings(Trigger trigger, TriggerInputs inputs)
    {
        var c = trigger.Condition;
        var scope = trigger.Scope;
        if (!scope.Covers(inputs.Outcome.Id) || inputs.Outcome.Status != OutcomeStatus.Active)
        {
            return [];
        }

        var today = DateOnly.FromDateTime(inputs.At.UtcDateTime);
        var currency = inputs.Outcome.Budget.Currency;
        return c.Kind switch
        {
            TriggerKind.KpiBehindPace => [.. inputs.Kpis()
                .Where(k => (c.Kpi is null || k.Key == c.Kpi) && k.Progress is { } p && (k.Elapsed - p) * 100 > c.Points!.Value)
                .Select(k => Kpi(k, $"{k.Name} is {Points((k.Elapsed - k.Progress!.Value) * 100)} points behind pace ({k.Progress:P0} of its way, {k.Elapsed:P0} of the window gone; more than {c.Points} points fires).", c.Points))],
            TriggerKind.KpiProgressCrossed => [.. inputs.Kpis()
                .Where(k => k.Key == c.Kpi && k.Progress is { } p && (c.Direction == Direction.Below ? p * 100 <= c.Progress!.Value : p * 100 >= c.Progress!.Value))
                .Select(k => Kpi(k, $"{k.Name} is at {k.Progress:P0} of its way, {(c.Direction == Direction.Below ? "at or below" : "at or above")} {c.Progress}%.", c.Progress))],
            TriggerKind.ConnectionTrouble => Connections(inputs.Schedule(), scope, (connection, d) =>
                connection.Kind is not (ConnectionKind.Dependency or ConnectionKind.Handoff) ? null
                : d.State == ConnectionState.Broken && c.Trouble is ConnectionTrouble.Broken or ConnectionTrouble.Either ? $"'{connection.Title}' is broken: {d.StateReason}"
                : d.InConflict && c.Trouble is ConnectionTrouble.Conflict or ConnectionTrouble.Either ? $"'{connection.Title}' is in conflict: {d.Conflict}"
                : null),
            TriggerKind.AcknowledgementOverdue => Connections(inputs.Schedule(), scope, (connection, d) =>
                d.State == ConnectionState.Proposed && connection.AwaitedSince < inputs.At.AddDays(-c.Days!.Value)
                    ? $"'{connection.Title}' has waited {(inputs.At - connection.AwaitedSince).TotalDays:0.#} days (more than {c.Days}) for {string.Join(" and ", d.AwaitingAcknowledgementFrom)}."
                    : null),
            TriggerKind.ActivityMetric => [.. Activities(inputs.Schedule(), scope).SelectMany(a => Metric(a, c, inputs.Results?.ByActivity.GetValueOrDefault(a.Id) ?? Totals.Zero, currency))],
            TriggerKind.ActivityEndedWithoutResults => [.. Activities(inputs.Schedule(), scope)
                .Where(a => a.Status != ActivityStatus.Cancelled && today.DayNumber - a.Spec.EndsOn.DayNumber >= c.Days!.Value && a.Spec.EndsOn < today
                    && (inputs.Results?.ByActivity.GetValueOrDefault(a.Id)?.Rows ?? 0) == 0)
                .Select(a => new Holding(
                    $"activity {a.Id}", $"'{a.Spec.Name}' ({a.Discipline}) ended on {a.Spec.EndsOn:yyyy-MM-dd}, {today.DayNumber - a.Spec.EndsOn.DayNumber} days ago, and has no results recorded.",
                    Values(("daysSinceEnd", today.DayNumber - a.Spec.EndsOn.DayNumber), ("threshold", c.Days)), [a.Discipline]))],
            TriggerKind.SpendOverBudget => Spend(inputs, c, scope),
            TriggerKind.SegmentValueDrop => SegmentDrop(inputs, c),
            TriggerKind.RagAtLeast => RagAtLeast(inputs.Report(), trigger.Id, inputs.Outcome.Id, c.Rag == RagLevel.Red ? Rag.Red : Rag.Amber),
            _ => [],
        };
    }

    /// <summary>The segment's measure, when the outcome's KPIs follow it, more than the percent below the reference.</summary>
    private static List<Holding> SegmentDrop(TriggerInputs inputs, Triggers.TriggerCondition c)
    {
        if (!inputs.Segments.TryGetValue(c.SegmentId!.Value, out var segment))
        {
            return [];
        }

        var value = Math.Round(TriggerRules.MeasureOf(segment, c.Measure!.Value), 2);
        var reference = c.Reference!.Value;
        var drop = Math.Round((reference - value) * 100 / reference, 2);
        return drop > c.Percent
            ? [new Holding(
                $"segment {segment.Id}", $"'{segment.Name}' has a {c.Measure} of {new Money(value, segment.Currency)}, {Points(drop)}% below its reference of {new Money(reference, segment.Currency)} (more than {c.Percent}% fires).",
                Values(("value", value), ("reference", reference), ("dropPercent", drop), ("threshold", c.Percent)), [])]
            : [];
    }

    /// <summary>The RAG without the trigger's own flags: a trigger that flags the RAG it watches would otherwise hold forever.</summary>
    private static List<Holding> RagAtLeast(OutcomeStatusReport report, Guid triggerId, Guid outcomeId, Rag level)
    {
        var reasons = report.Reasons.Where(r => !StatusRules.IsFlagOf(r, triggerId)).ToList();
        var rag = reasons.Count == 0 ? Rag.Green : reasons.Max(r => r.Level);
        return rag >= level
            ? [new Holding($"outcome {outcomeId}", $"The outcome is {rag}: {string.Join(" ", reasons.Take(3).Select(r => r.Detail))}".Trim(), Values(("rag", (int)rag)), [])]
            : [];
    }

    private static Holding Kpi(KpiStanding k, string summary, decimal? threshold) => new(
        $"kpi {k.Key}", summary, Values(("progress", Percent(k.Progress)), ("elapsed", Percent(k.Elapsed)), ("behindPoints", Percent(k.Elapsed - k.Progress)), ("threshold", threshold)), []);

    private static List<Holding> Connections(Schedule schedule, TriggerScope scope, Func<Connection, ConnectionDetails, string?> trouble)
    {
        var holdings = new List<Holding>();
        foreach (var connection in schedule.Connections.Where(x => scope.CoversAny([x.From.Discipline, x.To.Discipline])))
        {
            if (trouble(connection, ConnectionDetails.Of(schedule, connection)) is { } summary)
            {
                holdings.Add(new Holding($"connection {connection.Id}", summary, Values(), [.. new[] { connection.From.Discipline, connection.To.Discipline }.Distinct().Order()]));
            }
        }

        return holdings;
    }

    private static IEnumerable<Activity> Activities(Schedule schedule, TriggerScope scope) =>
        schedule.Activities.Where(a => scope.CoversAny([a.Discipline]) && scope.CoversChannel(a.Spec.Channel)).OrderBy(a => a.Id);

    private static IEnumerable<Holding> Metric(Activity a, Triggers.TriggerCondition c, Totals t, string currency)
    {
        if (t.Rows < c.MinRows || t.Cost < c.MinSpend)
        {
            yield break;
        }

        var measures = Measures.Of(t, currency, 0m);
        var ratio = c.Metric switch
        {
            ActivityMetricName.Roi => measures.Roi,
            ActivityMetricName.CostPerConversion => measures.CostPerConversion,
            _ => measures.ConversionRate,
        };
        if (ratio.Value is { } value && (c.Direction == Direction.Below ? value < c.Value : value > c.Value))
        {
            yield return new Holding(
                $"activity {a.Id}", $"'{a.Spec.Name}' ({a.Discipline}) has a {c.Metric} of {value.ToString("0.####", CultureInfo.InvariantCulture)}, {(c.Direction == Direction.Below ? "below" : "above")} {c.Value} ({t.Rows} result rows, {new Money(t.Cost, currency)} spent).",
                Values(("value", value), ("threshold", c.Value), ("rows", t.Rows), ("spent", t.Cost)), [a.Discipline]);
        }
    }

    private static List<Holding> Spend(TriggerInputs inputs, Triggers.TriggerCondition c, TriggerScope scope)
    {
        var plans = inputs.Schedule().Plans;
        var results = inputs.Results;
        var currency = inputs.Outcome.Budget.Currency;
        var over = new List<Holding>();
        void Check(string subject, string what, decimal spent, decimal budget, IReadOnlyList<Discipline> disciplines)
        {
            if (budget > 0 && spent * 100 > budget * c.Percent!.Value)
            {
                over.Add(new Holding(
                    subject, $"{what} has spent {new Money(spent, currency)}, {Points(spent * 100 / budget)}% of its budget of {new Money(budget, currency)} (more than {c.Percent}% fires).",
                    Values(("spent", spent), ("budget", budget), ("percent", Math.Round(spent * 100 / budget, 2)), ("threshold", c.Percent)), disciplines));
            }
        }

        switch (c.Level)
        {
            case SpendLevel.Outcome:
                Check($"outcome {inputs.Outcome.Id}", "The outcome", results?.Outcome.Cost ?? 0m, inputs.Outcome.Budget.Amount, []);
                break;
            case SpendLevel.Discipline:
                foreach (var plan in plans.Where(p => p.IsLivePlan && scope.CoversAny([p.Discipline])).OrderBy(p => p.Discipline))
                {
                    Check($"discipline {plan.Discipline}", plan.Discipline.ToString(), results?.ByDiscipline.GetValueOrDefault(plan.Discipline)?.Cost ?? 0m, plan.Budget.Amount, [plan.Discipline]);
                }

                break;
            default:
                foreach (var plan in plans.Where(p => p.IsLivePlan && scope.CoversAny([p.Discipline])).OrderBy(p => p.Id))
                {
                    Check($"plan {plan.Id}", $"{plan.Discipline}'s plan '{plan.Title}'", results?.ByPlan.GetValueOrDefault(plan.Id)?.Cost ?? 0m, plan.Budget.Amount, [plan.Discipline]);
                }

                break;
        }

        return over;
    }

    private static decimal? Percent(decimal? share) => share is { } s ? Math.Round(s * 100, 2) : null;

    private static string Points(decimal value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    private static Dictionary<string, decimal?> Values(params (string Name, decimal? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);
}
