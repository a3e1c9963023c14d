using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record GetPlan(Guid PlanId) : IRequest<PlanDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetPlan, PlanDetails>
    {
        public async Task<PlanDetails> Handle(GetPlan query, CancellationToken cancellationToken)
        {
            var plan = await session.LoadAsync<Plan>(query.PlanId, cancellationToken) ?? throw new NotFoundException($"Plan {query.PlanId} was not found.");
            return await session.DetailsAsync(plan, plan.Version, cancellationToken);
        }
    }
}
