using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record ApprovePlan(Guid PlanId, long ExpectedVersion, string By) : ICommand<PlanDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ApprovePlan, PlanDetails>
    {
        public async Task<PlanDetails> Handle(ApprovePlan command, CancellationToken cancellationToken)
        {
            var (plan, version) = await session.DecideAsync<Plan>(
                command.PlanId, command.ExpectedVersion, p => [PlanRules.Approve(p, command.By, clock.GetUtcNow())], (p, e) => p.Evolve(e), cancellationToken, exclusive: PlanRules.LockedByEveryWriter);
            return await session.DetailsAsync(plan, version, cancellationToken);
        }
    }
}
