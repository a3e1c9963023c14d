using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record SubmitPlan(Guid PlanId, long ExpectedVersion, Caller Caller) : ICommand<PlanDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<SubmitPlan, PlanDetails>
    {
        public async Task<PlanDetails> Handle(SubmitPlan command, CancellationToken cancellationToken)
        {
            var (plan, version) = await session.DecideAsync<Plan>(command.PlanId, command.ExpectedVersion, async p =>
            {
                PlanAccess.EnsureMayEdit(command.Caller, p.Discipline);
                var outcome = await session.OutcomeAsync(p.OutcomeId, cancellationToken);
                var activities = (await session.ActivitiesOfAsync(p.Id, cancellationToken)).Where(a => a.Status != ActivityStatus.Cancelled).ToList();
                return [PlanRules.Submit(p, activities, outcome, command.Caller.Name, clock.GetUtcNow())];
            }, (p, e) => p.Evolve(e), cancellationToken, exclusive: true);
            return await session.DetailsAsync(plan, version, cancellationToken);
        }
    }
}
