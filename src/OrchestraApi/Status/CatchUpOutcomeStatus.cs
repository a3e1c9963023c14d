using Marten;
using MediatR;
using OrchestraApi.Connections;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>
/// The live stream's first event as one JSON answer, for clients that cannot hold a stream open (a proxy that buffers
/// Server-Sent Events, a job that runs every few minutes): a snapshot, or with <paramref name="LastEventId"/> what
/// changed since that event. Its <c>id</c> is the next call's <c>lastEventId</c>.
/// </summary>
public sealed record CatchUpOutcomeStatus(Guid OutcomeId, string? LastEventId) : IRequest<StatusEvent>
{
    public sealed class Handler(IQuerySession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<CatchUpOutcomeStatus, StatusEvent>
    {
        public async Task<StatusEvent> Handle(CatchUpOutcomeStatus query, CancellationToken cancellationToken)
        {
            var since = WatchOutcomeStatus.MomentOf(query.LastEventId, "lastEventId");
            var now = await StatusInputs.NowAsync(session, schedules, query.OutcomeId, clock.GetUtcNow(), cancellationToken);
            return await StatusEvent.FirstAsync(session, now, now.Report(), since, cancellationToken);
        }
    }
}
