using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using OrchestraApi.Platform;

namespace OrchestraApi.Triggers;

/// <summary>What a trigger watches for: one of a closed list of conditions, each with the parameters it states.</summary>
public enum TriggerKind
{
    /// <summary>A KPI more than `points` percentage points behind pace (its progress below the elapsed share of the outcome's window). Optional `kpi`: only that KPI; optional `forDays`: only once it has been so for that many days on end. Subject: the KPI.</summary>
    KpiBehindPace,

    /// <summary>A KPI's progress at or above (`direction` Above, the default) or at or below (Below) `progress` percent of its way from baseline to target. Requires `kpi`. Subject: the KPI.</summary>
    KpiProgressCrossed,

    /// <summary>A dependency or hand-off in schedule conflict, broken, or either (`trouble`, default Either). Subject: the connection.</summary>
    ConnectionTrouble,

    /// <summary>An activity's `metric` (Roi, CostPerConversion, ConversionRate) below or above (`direction`) `value`, once it has at least `minRows` result rows and `minSpend` spent (both default 0). Subject: the activity.</summary>
    ActivityMetric,

    /// <summary>Spend above `percent` % of the budget of each live plan, each discipline (its live plan's budget) or the outcome (`level`). Subject: the plan, discipline or outcome.</summary>
    SpendOverBudget,

    /// <summary>A proposed connection awaiting acknowledgement more than `days` days. Time-driven. Subject: the connection.</summary>
    AcknowledgementOverdue,

    /// <summary>An activity that ended `days` days ago or more (not cancelled) with no result recorded: the loop is not closing. Time-driven. Subject: the activity.</summary>
    ActivityEndedWithoutResults,

    /// <summary>The outcome's status RAG at `rag` (Amber: amber or red; Red: red). Subject: the outcome.</summary>
    RagAtLeast,

    /// <summary>A segment's `measure` (Clv, the default, or Equity) more than `percent` % below `reference` (default: its value when the trigger is defined or its condition revised), in each outcome whose KPIs follow the segment (`segmentId`). Subject: the segment.</summary>
    SegmentValueDrop,
}

/// <summary>A segment's customer value.</summary>
public enum SegmentMeasure
{
    /// <summary>Customer lifetime value: m · r / (1 + d − r).</summary>
    Clv,

    /// <summary>Customer equity: CLV × size.</summary>
    Equity,
}

/// <summary>Below or above a value.</summary>
public enum Direction
{
    Below,
    Above,
}

/// <summary>Which connection trouble counts.</summary>
public enum ConnectionTrouble
{
    /// <summary>The linked activities' dates break the connection's rule.</summary>
    Conflict,

    /// <summary>The connection was marked broken.</summary>
    Broken,

    /// <summary>Either.</summary>
    Either,
}

/// <summary>An activity's measure, from its results.</summary>
public enum ActivityMetricName
{
    /// <summary>(revenue − cost) / cost; undefined while cost is 0.</summary>
    Roi,

    /// <summary>cost / conversions; undefined while there are none.</summary>
    CostPerConversion,

    /// <summary>conversions / responses; undefined while there are none.</summary>
    ConversionRate,
}

/// <summary>Whose spend is compared with whose budget.</summary>
public enum SpendLevel
{
    Plan,
    Discipline,
    Outcome,
}

/// <summary>How high a RAG counts.</summary>
public enum RagLevel
{
    Amber,
    Red,
}

/// <summary>
/// A trigger's condition: `kind` and the parameters that kind states (see each kind); a parameter another kind uses is
/// refused. No expression or code is ever evaluated.
/// </summary>
/// <param name="Kind">The condition (see the kinds' descriptions for their parameters).</param>
/// <param name="Kpi">KpiBehindPace (optional), KpiProgressCrossed (required): the KPI's key.</param>
/// <param name="Points">KpiBehindPace: percentage points behind pace, more than this (0–100).</param>
/// <param name="Progress">KpiProgressCrossed: percent of the KPI's way from baseline to target (−1,000 to 1,000).</param>
/// <param name="Direction">KpiProgressCrossed: Above (default) or Below; ActivityMetric: required.</param>
/// <param name="Trouble">ConnectionTrouble: Conflict, Broken or Either (default).</param>
/// <param name="Metric">ActivityMetric: Roi, CostPerConversion or ConversionRate.</param>
/// <param name="Value">ActivityMetric: the threshold (a ratio: 0.25 is 25 %; an amount for CostPerConversion), −10^9 to 10^12.</param>
/// <param name="MinRows">ActivityMetric: result rows the activity needs first (0–10^9, default 0).</param>
/// <param name="MinSpend">ActivityMetric: spend the activity needs first, in the outcome's currency (0–10^12, default 0).</param>
/// <param name="Level">SpendOverBudget: Plan, Discipline or Outcome.</param>
/// <param name="Percent">SpendOverBudget: percent of the budget, more than this (1–10,000).</param>
/// <param name="Days">AcknowledgementOverdue: days awaiting, more than this (1–365); ActivityEndedWithoutResults: days since it ended, at least this (0–365).</param>
/// <param name="Rag">RagAtLeast: Amber or Red.</param>
/// <param name="ForDays">KpiBehindPace (optional): only once the KPI has been that far behind for this many days on end (1–365).</param>
/// <param name="SegmentId">SegmentValueDrop: the segment watched.</param>
/// <param name="Measure">SegmentValueDrop: Clv (default) or Equity.</param>
/// <param name="Reference">SegmentValueDrop: the value the drop is measured from, in the segment's currency (0.01–10^15); omitted: the segment's value when the trigger is saved.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TriggerCondition(
    [property: Required] TriggerKind? Kind,
    [property: StringLength(TriggerRules.MaxKpiKey, MinimumLength = 1)] string? Kpi = null,
    [property: Range(typeof(decimal), "0", "100")] decimal? Points = null,
    [property: Range(typeof(decimal), "-1000", "1000")] decimal? Progress = null,
    Direction? Direction = null,
    ConnectionTrouble? Trouble = null,
    ActivityMetricName? Metric = null,
    [property: Range(typeof(decimal), "-1000000000", "1000000000000")] decimal? Value = null,
    [property: Range(0, 1_000_000_000)] long? MinRows = null,
    [property: Range(typeof(decimal), "0", "1000000000000")] decimal? MinSpend = null,
    SpendLevel? Level = null,
    [property: Range(typeof(decimal), "1", "10000")] decimal? Percent = null,
    [property: Range(0, 365)] int? Days = null,
    RagLevel? Rag = null,
    [property: Range(1, 365)] int? ForDays = null,
    Guid? SegmentId = null,
    SegmentMeasure? Measure = null,
    [property: Range(typeof(decimal), "0.01", "1000000000000000")] decimal? Reference = null)
{
    public static TriggerCondition Example => new(TriggerKind.KpiBehindPace, Kpi: "pipeline", Points: 10);
}

public static class TriggerRules
{
    /// <summary>
    /// Conditions time alone can make true: every tick may fire them. The others fire only on a change the feed numbered
    /// (or on the trigger's own definition), so each such firing names the changes that caused it.
    /// </summary>
    public static bool TimeDriven(TriggerKind? kind) =>
        kind is TriggerKind.AcknowledgementOverdue or TriggerKind.ActivityEndedWithoutResults or TriggerKind.KpiBehindPace or TriggerKind.RagAtLeast;

    /// <summary>
    /// The scope, normalised: each outcome it names is the organisation's, and a conductor's trigger names outcomes
    /// (watching the whole organisation is an admin's to set up). Without a caller (a dry run, which changes nothing), any scope.
    /// </summary>
    public static async Task<TriggerScope> ScopeAsync(Marten.IQuerySession session, TriggerScope given, Caller? caller, CancellationToken ct)
    {
        var scope = given.Normalised();
        if (scope.OutcomeIds!.Count == 0 && caller is not null && caller.Role != Kernel.Role.Admin)
        {
            throw new ForbiddenException("A conductor's trigger watches named outcomes (scope.outcomeIds); a trigger for the whole organisation is an admin's.");
        }

        var found = (await session.LoadManyAsync<Outcomes.Outcome>(ct, scope.OutcomeIds)).Select(o => o.Id).ToHashSet();
        var missing = scope.OutcomeIds.Where(id => !found.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidInputException("scope.outcomeIds", $"names outcome {missing[0]}, which this organisation does not have.");
        }

        return scope;
    }

    /// <summary>A name or description: trimmed, not blank, no control characters but line breaks and tabs.</summary>
    public static string Text(string text, string field)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0 || trimmed.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new InvalidInputException(field, "must be text: not blank, no control characters.");
        }

        return trimmed;
    }

    public const int MaxName = 200;
    public const int MaxDescription = 1000;
    public const int MaxKpiKey = 100;
    public const int MaxScope = 50;
    public const int MaxRearmHours = 8760;

    /// <summary>A dry run's limits: its period, the outcomes it replays, the firings it answers.</summary>
    public const int MaxDryRunDays = 366;
    public const int MaxDryRunOutcomes = 100;
    public const int MaxDryRunFirings = 1000;

    /// <summary>A dry run's work, at most: moments × the streams each rebuilds (a KPI condition's: two).</summary>
    public const long MaxDryRunWork = 2_000_000;

    /// <summary>The feed positions a firing names, at most (the latest).</summary>
    public const int MaxPositions = 50;

    /// <summary>Who fires and clears: the API itself.</summary>
    public const string System = "OrchestraApi";

    /// <summary>An organisation's triggers, at most.</summary>
    public const int MaxTriggers = 500;

    private static readonly Dictionary<TriggerKind, (string[] Required, string[] Optional)> Parameters = new()
    {
        [TriggerKind.KpiBehindPace] = (["points"], ["kpi", "forDays"]),
        [TriggerKind.KpiProgressCrossed] = (["kpi", "progress"], ["direction"]),
        [TriggerKind.ConnectionTrouble] = ([], ["trouble"]),
        [TriggerKind.ActivityMetric] = (["metric", "direction", "value"], ["minRows", "minSpend"]),
        [TriggerKind.SpendOverBudget] = (["level", "percent"], []),
        [TriggerKind.AcknowledgementOverdue] = (["days"], []),
        [TriggerKind.ActivityEndedWithoutResults] = (["days"], []),
        [TriggerKind.RagAtLeast] = (["rag"], []),
        [TriggerKind.SegmentValueDrop] = (["segmentId", "percent"], ["measure", "reference"]),
    };

    /// <summary>Each parameter the condition was given is one its kind states, and every one it requires is there; answers it with its defaults.</summary>
    public static TriggerCondition Checked(TriggerCondition c)
    {
        var kind = c.Kind ?? throw new InvalidInputException("condition.kind", "is required.");
        var given = new Dictionary<string, object?>
        {
            ["kpi"] = c.Kpi, ["points"] = c.Points, ["progress"] = c.Progress, ["direction"] = c.Direction, ["trouble"] = c.Trouble, ["metric"] = c.Metric,
            ["value"] = c.Value, ["minRows"] = c.MinRows, ["minSpend"] = c.MinSpend, ["level"] = c.Level, ["percent"] = c.Percent, ["days"] = c.Days, ["rag"] = c.Rag,
            ["forDays"] = c.ForDays, ["segmentId"] = c.SegmentId, ["measure"] = c.Measure, ["reference"] = c.Reference,
        };
        var (required, optional) = Parameters[kind];
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, value) in given)
        {
            if (value is not null && !required.Contains(name) && !optional.Contains(name))
            {
                errors[$"condition.{name}"] = [$"is not a parameter of {kind} (it takes {Describe(required, optional)})."];
            }
            else if (value is null && required.Contains(name))
            {
                errors[$"condition.{name}"] = [$"is required for {kind}."];
            }
        }

        if (c.Kpi is { } kpi && (string.IsNullOrWhiteSpace(kpi) || kpi.Any(char.IsControl)))
        {
            errors["condition.kpi"] = ["must be a KPI key: no control characters, not blank."];
        }

        if (kind == TriggerKind.AcknowledgementOverdue && c.Days == 0)
        {
            errors["condition.days"] = ["must be at least 1 for AcknowledgementOverdue."];
        }

        if (kind == TriggerKind.SegmentValueDrop && c.Percent > 100)
        {
            errors["condition.percent"] = ["must be at most 100 for SegmentValueDrop: a value cannot fall by more than all of it."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        return kind switch
        {
            TriggerKind.KpiProgressCrossed => c with { Direction = c.Direction ?? Triggers.Direction.Above },
            TriggerKind.ConnectionTrouble => c with { Trouble = c.Trouble ?? ConnectionTrouble.Either },
            TriggerKind.ActivityMetric => c with { MinRows = c.MinRows ?? 0, MinSpend = c.MinSpend ?? 0m },
            TriggerKind.SegmentValueDrop => c with { Measure = c.Measure ?? SegmentMeasure.Clv },
            _ => c,
        };
    }

    /// <summary>
    /// The condition checked (<see cref="Checked"/>) and, for a segment's drop, its segment found in the organisation and
    /// its reference given or taken now from the segment's value.
    /// </summary>
    public static async Task<TriggerCondition> CheckedAsync(Marten.IQuerySession session, TriggerCondition given, CancellationToken ct)
    {
        var c = Checked(given);
        if (c.Kind != TriggerKind.SegmentValueDrop)
        {
            return c;
        }

        var segment = await session.LoadAsync<Segments.Segment>(c.SegmentId!.Value, ct)
            ?? throw new InvalidInputException("condition.segmentId", $"names segment {c.SegmentId}, which this organisation does not have.");
        var reference = c.Reference ?? Math.Round(MeasureOf(segment, c.Measure!.Value), 2);
        return reference > 0
            ? c with { Reference = reference }
            : throw new InvalidInputException("condition.reference", $"is required: the segment's {c.Measure} is {reference} now, and a drop is measured from a value above 0.");
    }

    public static decimal MeasureOf(Segments.Segment segment, SegmentMeasure measure) => measure == SegmentMeasure.Equity ? segment.Equity : segment.Clv;

    private static string Describe(string[] required, string[] optional) =>
        string.Join(", ", required.Concat(optional.Select(o => $"{o} (optional)")));
}
