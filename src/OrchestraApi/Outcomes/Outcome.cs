using System.ComponentModel.DataAnnotations;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>draft → active → achieved | missed | cancelled (a draft may also be cancelled).</summary>
public enum OutcomeStatus
{
    Draft,
    Active,
    Achieved,
    Missed,
    Cancelled,
}

/// <summary>Which way the KPI must move from its baseline to reach its target.</summary>
public enum KpiDirection
{
    Up,
    Down,
}

/// <summary>Where a KPI's current value comes from.</summary>
public enum KpiSource
{
    /// <summary>The latest value the conductor observed.</summary>
    Observed,

    /// <summary>Total conversions of the outcome's results.</summary>
    Conversions,

    /// <summary>Total revenue of the outcome's results.</summary>
    Revenue,

    /// <summary>Total responses of the outcome's results.</summary>
    Responses,

    /// <summary>ROI of the outcome's results, (revenue − cost) / cost.</summary>
    Roi,

    /// <summary>The customer lifetime value of a segment (`segmentId`).</summary>
    SegmentClv,

    /// <summary>The customer equity of a segment (`segmentId`).</summary>
    SegmentEquity,
}

/// <summary>A key performance indicator of an outcome; progress = (current − baseline) / (target − baseline).</summary>
/// <param name="Target">The KPI's value to reach.</param>
/// <param name="Source">Observed (the default), or derived from results or a segment: then it moves the moment they do.</param>
/// <param name="SegmentId">The segment a SegmentClv or SegmentEquity KPI follows.</param>
public sealed record Kpi([property: MaxLength(200)] string Key, [property: MaxLength(200)] string Name, [property: MaxLength(50)] string Unit, decimal Baseline, decimal Target, KpiDirection Direction, KpiSource Source = KpiSource.Observed, Guid? SegmentId = null)
{
    /// <summary>A key: 1-64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit.</summary>
    public const string KeyPattern = "^[a-z0-9][a-z0-9_.-]{0,63}$";
}

/// <summary>An outcome's state, folded from its events (kept as an inline snapshot: reads and writes see it at once).</summary>
public sealed record Outcome(
    Guid Id,
    string Title,
    string Description,
    string Conductor,
    IReadOnlyList<string> Segments,
    DateOnly StartsOn,
    DateOnly EndsOn,
    Money Budget,
    IReadOnlyList<Kpi> Kpis,
    OutcomeStatus Status,
    string? ClosingReason,
    DateTimeOffset DefinedAt,
    DateTimeOffset UpdatedAt)
    : IFold<Outcome>, IStreamVersioned
{
    /// <summary>The organisation's segments it serves, by id.</summary>
    public IReadOnlyList<Guid> SegmentIds { get; init; } = [];

    /// <summary>The stream version, set by Marten.</summary>
    public long Version { get; set; }

    /// <summary>The one answer for an outcome that is not in the caller's organisation (unknown and foreign look the same).</summary>
    public static NotFoundException NotFound(Guid outcomeId) => new($"Outcome {outcomeId} was not found.");

    public bool IsClosed => Status is OutcomeStatus.Achieved or OutcomeStatus.Missed or OutcomeStatus.Cancelled;

    public static Outcome Start(OutcomeDefined e) => new(
        e.OutcomeId, e.Title, e.Description, e.Conductor, e.Segments, e.StartsOn, e.EndsOn, e.Budget, [], OutcomeStatus.Draft, null, e.At, e.At)
    {
        SegmentIds = e.SegmentIds ?? [],
    };

    public static Outcome Start(object first) => first is OutcomeDefined e ? Start(e) : throw new UnknownEventException(typeof(Outcome), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public Outcome Evolve(object e) => e switch
    {
        OutcomeRevised x => On(x),
        KpiAdded x => On(x),
        KpiRevised x => On(x),
        OutcomeActivated x => On(x),
        OutcomeClosed x => On(x),
        _ => throw new UnknownEventException(typeof(Outcome), e),
    };

    private Outcome On(OutcomeRevised e) => this with
    {
        Title = e.Title ?? Title,
        Description = e.Description ?? Description,
        StartsOn = e.StartsOn ?? StartsOn,
        EndsOn = e.EndsOn ?? EndsOn,
        Budget = e.Budget ?? Budget,
        UpdatedAt = e.At,
    };

    private Outcome On(KpiAdded e) => this with { Kpis = [.. Kpis, e.Kpi], UpdatedAt = e.At };

    private Outcome On(KpiRevised e) => this with { Kpis = [.. Kpis.Select(k => k.Key == e.Kpi.Key ? e.Kpi : k)], UpdatedAt = e.At };

    private Outcome On(OutcomeActivated e) => this with { Status = OutcomeStatus.Active, UpdatedAt = e.At };

    private Outcome On(OutcomeClosed e) => this with { Status = e.Result, ClosingReason = e.Reason, UpdatedAt = e.At };
}
