using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>The delivering side or the conductor marks an agreed connection met (hand-off delivered, dependency honoured).</summary>
public sealed record MarkConnectionMet(Guid OutcomeId, Guid ConnectionId, long ExpectedVersion, Caller Caller)
    : IConnectionChange, ICommand<ConnectionDetails>
{
    public IConnectionEvent Decide(Schedule schedule, Outcome outcome, Connection connection, DateTimeOffset now) =>
        ConnectionRules.Met(schedule, connection, Caller, now);

    public sealed class Handler(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : ConnectionChangeHandler<MarkConnectionMet>(session, schedules, clock);
}
