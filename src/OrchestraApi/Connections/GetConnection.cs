using Marten;
using MediatR;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

public sealed record GetConnection(Guid OutcomeId, Guid ConnectionId) : IRequest<ConnectionDetails>
{
    public sealed class Handler(IQuerySession session, ScheduleCache schedules) : IRequestHandler<GetConnection, ConnectionDetails>
    {
        public async Task<ConnectionDetails> Handle(GetConnection query, CancellationToken cancellationToken)
        {
            var schedule = await Schedule.LoadAsync(session, query.OutcomeId, schedules, cancellationToken);
            return schedule?.Find(query.ConnectionId) is { } connection
                ? ConnectionDetails.Of(schedule, connection)
                : throw new NotFoundException($"Outcome {query.OutcomeId} has no connection {query.ConnectionId}.");
        }
    }
}
