using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>Read straight from the activity's own stream, oldest first.</summary>
public sealed record GetActivityHistory(Guid PlanId, Guid ActivityId, PageRequest Page) : IRequest<Page<PlanChange>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetActivityHistory, Page<PlanChange>>
    {
        public async Task<Page<PlanChange>> Handle(GetActivityHistory query, CancellationToken cancellationToken)
        {
            await session.ActivityOfAsync(query.PlanId, query.ActivityId, cancellationToken);
            return await session.HistoryAsync(query.ActivityId, "Activity", query.Page, GetPlanHistory.Describe, cancellationToken);
        }
    }
}
