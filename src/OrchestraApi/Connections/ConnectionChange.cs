using Marten;
using MediatR;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>A change to one connection: the use cases below differ only in their rule.</summary>
public interface IConnectionChange : IRequest<ConnectionDetails>
{
    Guid OutcomeId { get; }

    Guid ConnectionId { get; }

    /// <summary>The connection's own version (its ETag): changes to other connections never make it stale.</summary>
    long ExpectedVersion { get; }

    IConnectionEvent Decide(Schedule schedule, Outcome outcome, Connection connection, DateTimeOffset now);
}

/// <summary>
/// Locks the outcome's connection graph (writers of one outcome's connections wait for each other rather than fail),
/// checks the connection's own If-Match, decides with the current schedule, and appends to the graph.
/// </summary>
public abstract class ConnectionChangeHandler<TCommand>(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<TCommand, ConnectionDetails>
    where TCommand : IConnectionChange
{
    public async Task<ConnectionDetails> Handle(TCommand command, CancellationToken cancellationToken)
    {
        var outcome = await session.OutcomeAsync(command.OutcomeId, cancellationToken);
        var stream = await session.LockAsync<ConnectionGraph>(ConnectionGraph.IdOf(command.OutcomeId), cancellationToken);
        var schedule = await Schedule.LoadAsync(session, command.OutcomeId, schedules, cancellationToken)
            ?? throw Outcome.NotFound(command.OutcomeId);
        var connection = schedule.Find(command.ConnectionId)
            ?? throw new NotFoundException($"Outcome {command.OutcomeId} has no connection {command.ConnectionId}.");
        Versions.Ensure(command.ExpectedVersion, connection.Version);
        var change = command.Decide(schedule, outcome, connection, clock.GetUtcNow());
        stream.AppendOne(change);
        var changed = connection.Evolve(change);
        return ConnectionDetails.Of(schedule.With(changed), changed);
    }
}
