using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;
using OrchestraApi.Status;

namespace OrchestraApi.Results;

/// <summary>The first event of an outcome's results stream, written when the outcome is defined.</summary>
public sealed record ResultsOpened(Guid OutcomeId) : IEventOf<OutcomeResults>, IOutcomeEvent;

/// <summary>One measured row of an activity's results, as recorded (money in the outcome's currency).</summary>
public sealed record ResultRow(
    Guid Id,
    Guid ActivityId,
    Guid PlanId,
    Discipline Discipline,
    DateOnly From,
    DateOnly To,
    long Reached,
    long Impressions,
    long Responses,
    long Conversions,
    decimal Revenue,
    decimal Cost,
    string? SourceRef,
    Guid? Corrects);

/// <summary>
/// A batch of result rows, all or nothing. <paramref name="Superseded"/> are earlier rows that corrections in this batch
/// replace: their figures leave the totals, the rows themselves stay in the history. <paramref name="Currency"/> is the
/// outcome's, which every amount of the rows is in.
/// </summary>
public sealed record ResultsRecorded(Guid BatchId, Guid OutcomeId, IReadOnlyList<ResultRow> Rows, IReadOnlyList<ResultRow> Superseded, string Currency, string By, DateTimeOffset At) : IEventOf<OutcomeResults>, IOutcomeEvent;

/// <summary>A value of an outcome KPI observed at a moment, optionally attributed to an activity.</summary>
public sealed record KpiObserved(Guid ObservationId, Guid OutcomeId, string Key, decimal Value, DateTimeOffset ObservedAt, Guid? ActivityId, string By, DateTimeOffset At) : IEventOf<OutcomeResults>, IOutcomeEvent;
