using OrchestraApi.Kernel;
using OrchestraApi.Platform;
using OrchestraApi.Status;

namespace OrchestraApi.Outcomes;

// An outcome's stream. Shipped events are never renamed or repurposed: a change of meaning is a new event.

public sealed record OutcomeDefined(
    Guid OutcomeId, string Title, string Description, string Conductor, IReadOnlyList<string> Segments,
    DateOnly StartsOn, DateOnly EndsOn, Money Budget, string By, DateTimeOffset At, IReadOnlyList<Guid>? SegmentIds = null) : IEventOf<Outcome>, IOutcomeEvent;

/// <summary>Only the fields that changed are set.</summary>
public sealed record OutcomeRevised(
    Guid OutcomeId, string? Title, string? Description, DateOnly? StartsOn, DateOnly? EndsOn, Money? Budget, string By, DateTimeOffset At) : IEventOf<Outcome>, IOutcomeEvent;

public sealed record KpiAdded(Guid OutcomeId, Kpi Kpi, string By, DateTimeOffset At) : IEventOf<Outcome>, IOutcomeEvent;

/// <summary>Carries the whole KPI after the revision.</summary>
public sealed record KpiRevised(Guid OutcomeId, Kpi Kpi, string By, DateTimeOffset At) : IEventOf<Outcome>, IOutcomeEvent;

public sealed record OutcomeActivated(Guid OutcomeId, string By, DateTimeOffset At) : IEventOf<Outcome>, IOutcomeEvent;

public sealed record OutcomeClosed(Guid OutcomeId, OutcomeStatus Result, string Reason, string By, DateTimeOffset At) : IEventOf<Outcome>, IOutcomeEvent;
