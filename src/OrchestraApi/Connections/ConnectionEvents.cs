using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>Marker: an event of one connection in its outcome's graph stream.</summary>
public interface IConnectionEvent
{
    Guid ConnectionId { get; }

    string By { get; }

    DateTimeOffset At { get; }
}

/// <summary>The first event of an outcome's connection graph, written when the outcome is defined.</summary>
public sealed record ConnectionGraphOpened(Guid OutcomeId) : IEventOf<ConnectionGraph>;

public sealed record ConnectionDefined(
    Guid ConnectionId, ConnectionKind Kind, string Title, string Rationale, ConnectionEnd From, ConnectionEnd To, int LagDays,
    string? Artefact, DateOnly? DueOn, string? Message, string? Audience, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>;

public sealed record ConnectionRevised(
    Guid ConnectionId, string Title, string Rationale, int LagDays, string? Artefact, DateOnly? DueOn, string? Message, string? Audience,
    string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>;

public sealed record ConnectionAcknowledged(Guid ConnectionId, Discipline Discipline, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>;

public sealed record ConnectionContested(Guid ConnectionId, Discipline Discipline, string Reason, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>;

public sealed record ConnectionWithdrawn(Guid ConnectionId, string Reason, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>;

public sealed record ConnectionMet(Guid ConnectionId, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>;

public sealed record ConnectionBroken(Guid ConnectionId, string Reason, string By, DateTimeOffset At) : IConnectionEvent, IEventOf<ConnectionGraph>;
