using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;
using OrchestraApi.Status;

namespace OrchestraApi.Connections;

/// <summary>Marker: an event of one connection in its outcome's graph stream.</summary>
public interface IConnectionEvent
{
    Guid ConnectionId { get; }

    string By { get; }

    DateTimeOffset At { get; }
}

/// <summary>The first event of an outcome's connection graph, written when the outcome is defined.</summary>
public sealed record ConnectionGraphOpened(Guid OutcomeId) : IEventOf<ConnectionGraph>, IOutcomeEvent;

public sealed record ConnectionDefined(
    Guid ConnectionId, Guid OutcomeId, ConnectionKind Kind, string Title, string Rationale, ConnectionEnd From, ConnectionEnd To, int LagDays,
    string? Artefact, DateOnly? DueOn, string? Message, string? Audience, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>, IOutcomeEvent;

public sealed record ConnectionRevised(
    Guid ConnectionId, Guid OutcomeId, string Title, string Rationale, int LagDays, string? Artefact, DateOnly? DueOn, string? Message, string? Audience,
    string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>, IOutcomeEvent;

public sealed record ConnectionAcknowledged(Guid ConnectionId, Guid OutcomeId, Discipline Discipline, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>, IOutcomeEvent;

public sealed record ConnectionContested(Guid ConnectionId, Guid OutcomeId, Discipline Discipline, string Reason, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>, IOutcomeEvent;

public sealed record ConnectionWithdrawn(Guid ConnectionId, Guid OutcomeId, string Reason, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>, IOutcomeEvent;

public sealed record ConnectionMet(Guid ConnectionId, Guid OutcomeId, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>, IOutcomeEvent;

public sealed record ConnectionBroken(Guid ConnectionId, Guid OutcomeId, string Reason, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>, IOutcomeEvent;
