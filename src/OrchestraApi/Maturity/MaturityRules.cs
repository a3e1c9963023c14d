using System.ComponentModel.DataAnnotations;
using System.Globalization;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Tasks;
using OrchestraApi.Triggers;

namespace OrchestraApi.Maturity;

/// <summary>The stages of marketing execution, in the order they are reached; none can be skipped.</summary>
public enum MaturityStage
{
    /// <summary>Campaigns are not yet measured end to end.</summary>
    NotYetClosedLoop,

    /// <summary>Campaigns measured end to end: results close the loop of what ran, KPIs are kept current.</summary>
    ClosedLoop,

    /// <summary>Opportunity triggers act on events automatically, and someone acts on what they raise.</summary>
    EventDriven,

    /// <summary>Integrated and real-time: every discipline planned and connected, results within hours, customer value measured.</summary>
    RelationshipDriven,
}

/// <summary>How a criterion's value meets its threshold.</summary>
public enum CriterionComparison
{
    AtLeast,
    AtMost,
}

/// <summary>The thresholds of the maturity criteria (section <c>Orchestra:Maturity</c>; the defaults are issue 22's).</summary>
public sealed class MaturitySettings
{
    public const string Section = "Orchestra:Maturity";

    [Range(0, 100)] public decimal ResultsCoveragePercent { get; set; } = 80;
    [Range(0, 365)] public decimal EndToFirstResultDays { get; set; } = 7;
    [Range(1, 365)] public int KpiFreshDays { get; set; } = 30;
    [Range(0, 100)] public decimal FiringsActedOnPercent { get; set; } = 50;
    [Range(0, 86_400)] public decimal FiringLatencySeconds { get; set; } = 60;
    [Range(0, 100)] public decimal WebhooksDeliveredPercent { get; set; } = 99;
    [Range(1, 365)] public int WebhookDeliveryDays { get; set; } = 7;
    [Range(0, 100)] public decimal AcknowledgedPercent { get; set; } = 90;
    [Range(1, 365)] public int AcknowledgementDays { get; set; } = 3;
    [Range(0, 8_760)] public decimal ResultLatencyHours { get; set; } = 24;
}

/// <summary>One criterion of a stage: what was measured, against what, and what it means.</summary>
/// <param name="Key">Its stable name, e.g. `results-coverage`.</param>
/// <param name="Stage">The stage it belongs to.</param>
/// <param name="Name">What it asks, in words.</param>
/// <param name="Value">What was measured (in `unit`); null when there was nothing to measure (then it is not met).</param>
/// <param name="Threshold">What the value must reach.</param>
/// <param name="Unit">percent, days, seconds or hours.</param>
/// <param name="Comparison">AtLeast or AtMost the threshold.</param>
/// <param name="Met">Whether the evidence meets it.</param>
/// <param name="Explanation">The evidence, or what is missing, in a sentence a CMO acts on.</param>
public sealed record MaturityCriterion(
    [property: MaxLength(50)] string Key, MaturityStage Stage, [property: MaxLength(200)] string Name, decimal? Value, decimal Threshold, [property: MaxLength(20)] string Unit,
    CriterionComparison Comparison, bool Met, [property: MaxLength(1000)] string Explanation);

/// <summary>The next stage and what it still needs.</summary>
/// <param name="Stage">The stage after the one reached.</param>
/// <param name="Missing">Its criteria not met yet, each as what to do about it.</param>
public sealed record MaturityNext(MaturityStage Stage, [property: MaxLength(MaturityRules.CriteriaPerStage), ItemsLength(1000)] IReadOnlyList<string> Missing);

/// <summary>The stage reached at a moment of the trend.</summary>
/// <param name="At">The moment (the first instant of a month, UTC: the state at the end of the month before).</param>
/// <param name="CriteriaMet">How many of the 11 criteria were met then.</param>
public sealed record MaturityTrendPoint(DateTimeOffset At, MaturityStage Stage, int CriteriaMet);

/// <summary>Where the organisation stands, from its own records (issue 22).</summary>
/// <param name="AsOf">The moment assessed.</param>
/// <param name="Stage">The highest stage whose criteria — and every earlier stage's — are all met.</param>
/// <param name="Criteria">Every criterion of every stage, in stage order.</param>
/// <param name="Next">The next stage and what it is missing; null at RelationshipDriven.</param>
/// <param name="Trend">The stage at the start of each of the last 12 months, oldest first.</param>
public sealed record MaturityReport(
    DateTimeOffset AsOf, MaturityStage Stage, [property: MaxLength(MaturityRules.Criteria)] IReadOnlyList<MaturityCriterion> Criteria, MaturityNext? Next,
    [property: MaxLength(MaturityRules.TrendMonths)] IReadOnlyList<MaturityTrendPoint> Trend);

/// <summary>What the criteria read at a moment: the organisation's states then, and the dated facts up to it.</summary>
public sealed record MaturityEvidence(
    DateTimeOffset At,
    IReadOnlyCollection<Outcome> Outcomes,
    IReadOnlyCollection<Plan> Plans,
    IReadOnlyCollection<Activity> Activities,
    IReadOnlyCollection<ConnectionRecord> Connections,
    IReadOnlyCollection<Trigger> Triggers,
    IReadOnlyCollection<TriggerFiring> Firings,
    IReadOnlyCollection<TriggerTask> Tasks,
    IReadOnlyDictionary<Guid, DateTimeOffset> SegmentsChangedAt,
    MaturityFacts Facts);

/// <summary>A connection as it was, with when it was first agreed by both sides (null: not yet).</summary>
public sealed record ConnectionRecord(Connection Connection, DateTimeOffset? AgreedAt);

/// <summary>
/// The maturity criteria, pure: (the evidence at a moment, the thresholds) → every criterion with its value, and the
/// stage. <see cref="MaturityHistory"/> gathers the evidence.
/// </summary>
public static class MaturityRules
{
    public const int Criteria = 11;
    public const int CriteriaPerStage = 4;
    public const int TrendMonths = 12;

    /// <summary>Why a firing cleared when its condition stopped holding (not a revision of its trigger).</summary>
    private const string ConditionCleared = "The condition no longer holds.";

    public static (MaturityStage Stage, IReadOnlyList<MaturityCriterion> Criteria) Assess(MaturityEvidence e, MaturitySettings s)
    {
        var criteria = new List<MaturityCriterion>();
        var today = DateOnly.FromDateTime(e.At.UtcDateTime);
        var active = e.Outcomes.Where(o => o.Status == OutcomeStatus.Active).OrderBy(o => o.Title, StringComparer.Ordinal).ThenBy(o => o.Id).ToList();

        // Closed loop.
        var ended = e.Activities.Where(a => a.Status != ActivityStatus.Cancelled && a.Spec.EndsOn < today && a.Spec.EndsOn >= today.AddDays(-90)).ToList();
        var closed = ended.Where(a => e.Facts.FirstResultAt(a.Id, e.At) is not null).ToList();
        criteria.Add(Share(
            "results-coverage", MaturityStage.ClosedLoop, "Activities that ended in the last 90 days have results", closed.Count, ended.Count, s.ResultsCoveragePercent,
            ended.Count == 0 ? "No activity ended in the last 90 days: nothing shows the loop closing yet."
            : $"{ended.Count - closed.Count} of {ended.Count} activities that ended in the last 90 days have no results."));
        var endToResult = closed.Select(a => Math.Max(0, (decimal)(e.Facts.FirstResultAt(a.Id, e.At)!.Value - EndOf(a.Spec.EndsOn)).TotalDays)).ToList();
        criteria.Add(Median(
            "end-to-first-result-days", MaturityStage.ClosedLoop, "Median days from an activity's end to its first result", endToResult, s.EndToFirstResultDays, "days",
            m => $"Results arrive a median {Number(m)} days after an activity ends ({endToResult.Count} activities).",
            "No activity that ended in the last 90 days has results yet."));
        var recorded = e.Facts.BatchesIn(e.At.AddDays(-s.KpiFreshDays), e.At).Select(b => b.OutcomeId).ToHashSet();
        var stale = active.Where(o => !Fresh(o, e, s.KpiFreshDays, recorded)).ToList();
        criteria.Add(Share(
            "kpi-freshness", MaturityStage.ClosedLoop, $"Active outcomes with a KPI observed or derived in the last {s.KpiFreshDays} days", active.Count - stale.Count, active.Count, 100,
            active.Count == 0 ? "No outcome is active." : stale.Count == 0 ? $"Every active outcome's KPIs moved in the last {s.KpiFreshDays} days."
            : $"{stale.Count} of {active.Count} active outcomes have no KPI observed or derived in the last {s.KpiFreshDays} days: {Names(stale)}."));

        // Event-driven.
        var enabled = e.Triggers.Where(t => t.Enabled).ToList();
        var watchesAll = enabled.Any(t => t.Scope.CoversEveryOutcome());
        var watched = enabled.SelectMany(t => t.Scope.OutcomeIds ?? []).ToHashSet();
        var uncovered = active.Where(o => !watchesAll && !watched.Contains(o.Id)).ToList();
        criteria.Add(Share(
            "trigger-coverage", MaturityStage.EventDriven, "Active outcomes watched by an enabled trigger", active.Count - uncovered.Count, active.Count, 100,
            active.Count == 0 ? "No outcome is active." : uncovered.Count == 0 ? "Every active outcome is watched by an enabled trigger."
            : $"{uncovered.Count} of {active.Count} active outcomes have no enabled trigger: {Names(uncovered)}."));
        var recent = e.Firings.Where(f => f.FiredAt > e.At.AddDays(-30)).ToList();
        var done = e.Tasks.Where(t => t.State == TaskState.Done).Select(t => t.FiringId).ToHashSet();
        var actedOn = recent.Count(f => done.Contains(f.Id) || f.FlagDismissed is not null || f.ClearedBecause == ConditionCleared);
        criteria.Add(Share(
            "firings-acted-on", MaturityStage.EventDriven, "Firings of the last 30 days acted on (task done, flag dismissed or the condition cleared)", actedOn, recent.Count, s.FiringsActedOnPercent,
            recent.Count == 0 ? "No trigger fired in the last 30 days." : $"{actedOn} of {recent.Count} firings of the last 30 days were acted on."));
        var latencies = recent.Select(f => e.Facts.CauseAt(f.Id) is { } cause ? Math.Max(0, (decimal)(f.FiredAt - cause).TotalSeconds) : (decimal?)null).OfType<decimal>().ToList();
        criteria.Add(Median(
            "firing-latency-seconds", MaturityStage.EventDriven, "Median seconds from a change to the firing it caused", latencies, s.FiringLatencySeconds, "seconds",
            m => $"Triggers fire a median {Number(m)} seconds after the change that makes them true ({latencies.Count} firings in the last 30 days).",
            "No firing in the last 30 days was caused by a change."));
        criteria.Add(Consumed(e, s));

        // Relationship-driven.
        var plansOf = e.Plans.ToLookup(p => p.OutcomeId);
        var connectionsOf = e.Connections.ToLookup(c => c.Connection.OutcomeId);
        var unconnected = active.Where(o => !Connected(plansOf[o.Id], connectionsOf[o.Id])).ToList();
        criteria.Add(Share(
            "four-disciplines-connected", MaturityStage.RelationshipDriven, "Active outcomes with all four disciplines' plans approved, each in an agreed connection", active.Count - unconnected.Count, active.Count, 100,
            active.Count == 0 ? "No outcome is active." : unconnected.Count == 0 ? "Every active outcome has four approved plans, each discipline in an agreed connection."
            : $"{unconnected.Count} of {active.Count} active outcomes lack an approved plan or an agreed connection for a discipline: {Names(unconnected)}."));
        var defined = e.Connections.Where(c => c.Connection.DefinedAt > e.At.AddDays(-90)).ToList();
        var due = defined.Where(c => c.AgreedAt is not null || c.Connection.DefinedAt.AddDays(s.AcknowledgementDays) <= e.At).ToList();
        var onTime = due.Count(c => c.AgreedAt is { } agreed && agreed <= c.Connection.DefinedAt.AddDays(s.AcknowledgementDays));
        criteria.Add(Share(
            "acknowledged-in-time", MaturityStage.RelationshipDriven, $"Connections of the last 90 days agreed within {s.AcknowledgementDays} days", onTime, due.Count, s.AcknowledgedPercent,
            due.Count == 0 ? "No connection defined in the last 90 days has come due." : $"{onTime} of {due.Count} connections defined in the last 90 days were agreed within {s.AcknowledgementDays} days."));
        var resultLatency = e.Facts.BatchesIn(e.At.AddDays(-30), e.At).Select(b => Math.Max(0, (decimal)(b.RecordedAt - EndOf(b.LatestTo)).TotalHours)).ToList();
        criteria.Add(Median(
            "result-latency-hours", MaturityStage.RelationshipDriven, "Median hours from the end of a measured period to its results", resultLatency, s.ResultLatencyHours, "hours",
            m => $"Results are recorded a median {Number(m)} hours after the period they measure ends ({resultLatency.Count} batches in the last 30 days).",
            "No results were recorded in the last 30 days."));
        var unmeasured = active.Where(o => !o.Kpis.Any(k => k.Source is KpiSource.SegmentClv or KpiSource.SegmentEquity)).ToList();
        criteria.Add(Share(
            "customer-measure", MaturityStage.RelationshipDriven, "Active outcomes with a customer measure (a segment's CLV or equity) among their KPIs", active.Count - unmeasured.Count, active.Count, 100,
            active.Count == 0 ? "No outcome is active." : unmeasured.Count == 0 ? "Every active outcome measures customer value."
            : $"{unmeasured.Count} of {active.Count} active outcomes have no KPI on a segment's CLV or equity: {Names(unmeasured)}."));

        var stage = MaturityStage.NotYetClosedLoop;
        foreach (var next in new[] { MaturityStage.ClosedLoop, MaturityStage.EventDriven, MaturityStage.RelationshipDriven })
        {
            if (!criteria.Where(c => c.Stage == next).All(c => c.Met))
            {
                break;
            }

            stage = next;
        }

        return (stage, criteria);
    }

    /// <summary>The moment an activity has ended: the start of the day after its last day (UTC).</summary>
    private static DateTimeOffset EndOf(DateOnly lastDay) => new(lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <param name="recorded">The outcomes with results recorded in those days.</param>
    private static bool Fresh(Outcome o, MaturityEvidence e, int days, HashSet<Guid> recorded)
    {
        var since = e.At.AddDays(-days);
        return o.Kpis.Any(k => k.Source switch
        {
            KpiSource.Observed => e.Facts.ObservedIn(o.Id, k.Key, since, e.At),
            KpiSource.SegmentClv or KpiSource.SegmentEquity => k.SegmentId is { } segment && e.SegmentsChangedAt.TryGetValue(segment, out var changed) && changed > since,
            _ => recorded.Contains(o.Id),
        });
    }

    /// <summary>Whether every discipline of an outcome (its plans and connections given) has an approved live plan and an agreed connection.</summary>
    private static bool Connected(IEnumerable<Plan> plans, IEnumerable<ConnectionRecord> connections)
    {
        var agreed = connections.Where(c => c.Connection.State is ConnectionState.Agreed or ConnectionState.Met)
            .SelectMany(c => new[] { c.Connection.From.Discipline, c.Connection.To.Discipline }).ToHashSet();
        var approved = plans.Where(p => p.IsLivePlan && p.Status is PlanStatus.Approved or PlanStatus.InExecution or PlanStatus.Completed).Select(p => p.Discipline).ToHashSet();
        return Enum.GetValues<Discipline>().All(d => agreed.Contains(d) && approved.Contains(d));
    }

    private static MaturityCriterion Consumed(MaturityEvidence e, MaturitySettings s)
    {
        var window = TimeSpan.FromDays(s.WebhookDeliveryDays);
        var judged = e.Facts.Deliveries.Where(d => d.CreatedAt <= e.At && d.CreatedAt > e.At.AddDays(-30) && (d.DeliveredAt <= e.At || d.CreatedAt + window <= e.At)).ToList();
        var inTime = judged.Count(d => d.DeliveredAt is { } at && at <= e.At && at - d.CreatedAt <= window);
        decimal? share = judged.Count == 0 ? null : Percent(inTime, judged.Count);
        var read = e.Facts.FeedReadAround(e.At);
        var delivered = share >= s.WebhooksDeliveredPercent;
        var explanation = (judged.Count == 0 ? "No webhook delivery of the last 30 days has come due" : $"{inTime} of {judged.Count} webhook deliveries of the last 30 days arrived within {s.WebhookDeliveryDays} days")
            + (read ? "; the feed was read that day or the day before." : "; the feed was not read that day or the day before.");
        return new MaturityCriterion(
            "events-consumed", MaturityStage.EventDriven, $"Webhooks delivered within {s.WebhookDeliveryDays} days, or the feed read in the last day", share, s.WebhooksDeliveredPercent, "percent",
            CriterionComparison.AtLeast, delivered || read, explanation);
    }

    private static MaturityCriterion Share(string key, MaturityStage stage, string name, int part, int whole, decimal threshold, string explanation)
    {
        decimal? value = whole == 0 ? null : Percent(part, whole);
        return new MaturityCriterion(key, stage, name, value, threshold, "percent", CriterionComparison.AtLeast, value >= threshold, explanation);
    }

    private static MaturityCriterion Median(string key, MaturityStage stage, string name, List<decimal> values, decimal threshold, string unit, Func<decimal, string> measured, string none)
    {
        if (values.Count == 0)
        {
            return new MaturityCriterion(key, stage, name, null, threshold, unit, CriterionComparison.AtMost, false, none);
        }

        values.Sort();
        var middle = values.Count / 2;
        var median = Math.Round(values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2, 2);
        return new MaturityCriterion(key, stage, name, median, threshold, unit, CriterionComparison.AtMost, median <= threshold, measured(median));
    }

    private static decimal Percent(int part, int whole) => Math.Round(part * 100m / whole, 2);

    private static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Names(List<Outcome> outcomes)
    {
        var named = string.Join(", ", outcomes.Take(3).Select(o => $"'{(o.Title.Length > 60 ? o.Title[..59] + "…" : o.Title)}'"));
        return outcomes.Count > 3 ? $"{named} and {outcomes.Count - 3} more" : named;
    }
}
