using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>The conductor withdraws a connection that is not final, with a reason.</summary>
public sealed record WithdrawConnection(Guid OutcomeId, Guid ConnectionId, long ExpectedVersion, CancelRequest Request, string By)
    : IConnectionChange, ICommand<ConnectionDetails>
{
    public IConnectionEvent Decide(Schedule schedule, Outcome outcome, Connection connection, DateTimeOffset now) =>
        ConnectionRules.Withdraw(schedule, connection, Request.Reason, By, now);

    public sealed class Handler(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : ConnectionChangeHandler<WithdrawConnection>(session, schedules, clock);
}
