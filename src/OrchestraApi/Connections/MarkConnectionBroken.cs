using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>The delivering side or the conductor marks a live connection broken, with the reason.</summary>
public sealed record MarkConnectionBroken(Guid OutcomeId, Guid ConnectionId, long ExpectedVersion, CancelRequest Request, Caller Caller)
    : IConnectionChange, ICommand<ConnectionDetails>
{
    public IConnectionEvent Decide(Schedule schedule, Outcome outcome, Connection connection, DateTimeOffset now) =>
        ConnectionRules.Broken(schedule, connection, Caller, Request.Reason, now);

    public sealed class Handler(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : ConnectionChangeHandler<MarkConnectionBroken>(session, schedules, clock);
}
