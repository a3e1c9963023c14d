using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>New values for a draft or returned plan; omitted fields keep their value.</summary>
/// <param name="Objective">What the plan sets out to achieve for the outcome.</param>
/// <param name="Orchestrator">The orchestrator who owns the plan for its discipline.</param>
/// <param name="AcceptOverAllocation">Go ahead even if the outcome's plans then hold more than its budget; the plan carries the warning. Omitted or null: false.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RevisePlanRequest(
    [property: StringLength(200, MinimumLength = 1)] string? Title = null,
    [property: StringLength(4000)] string? Objective = null,
    [property: StringLength(200, MinimumLength = 1)] string? Orchestrator = null,
    Money? Budget = null,
    bool? AcceptOverAllocation = null)
    : IHasExample<RevisePlanRequest>
{
    public static RevisePlanRequest Example => new(Budget: new Money(320_000m, "EUR"));
}

public sealed record RevisePlan(Guid PlanId, long ExpectedVersion, RevisePlanRequest Request, Caller Caller) : ICommand<PlanDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<RevisePlan, PlanDetails>
    {
        public async Task<PlanDetails> Handle(RevisePlan command, CancellationToken cancellationToken)
        {
            var (plan, version) = await session.DecideAsync<Plan>(command.PlanId, command.ExpectedVersion, async p =>
            {
                PlanAccess.EnsureMayEdit(command.Caller, p.Discipline);
                var outcome = await session.OutcomeAsync(p.OutcomeId, cancellationToken);
                var plans = await session.AllocationsOfAsync(p.OutcomeId, cancellationToken);
                return [PlanRules.Revise(p, command.Request, outcome, plans, command.Caller.Name, clock.GetUtcNow())];
            }, (p, e) => p.Evolve(e), cancellationToken, exclusive: PlanRules.LockedByEveryWriter);
            return await session.DetailsAsync(plan, version, cancellationToken);
        }
    }
}
