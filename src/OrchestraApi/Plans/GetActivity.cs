using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record GetActivity(Guid PlanId, Guid ActivityId) : IRequest<ActivityDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetActivity, ActivityDetails>
    {
        public async Task<ActivityDetails> Handle(GetActivity query, CancellationToken cancellationToken)
        {
            var activity = await session.ActivityOfAsync(query.PlanId, query.ActivityId, cancellationToken);
            return ActivityDetails.From(activity, activity.Version);
        }
    }
}
