using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>The conductor's comments: what to change before resubmitting.</summary>
/// <param name="Comments">Comments, as given.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReturnPlanRequest([property: Required, StringLength(4000, MinimumLength = 1)] string Comments) : IHasExample<ReturnPlanRequest>
{
    public static ReturnPlanRequest Example => new("Tie the direct-mail drop to the PR launch date, and add the retention KPI.");
}

public sealed record ReturnPlan(Guid PlanId, long ExpectedVersion, ReturnPlanRequest Request, string By) : ICommand<PlanDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ReturnPlan, PlanDetails>
    {
        public async Task<PlanDetails> Handle(ReturnPlan command, CancellationToken cancellationToken)
        {
            var (plan, version) = await session.DecideAsync<Plan>(
                command.PlanId, command.ExpectedVersion, p => [PlanRules.Return(p, command.Request.Comments, command.By, clock.GetUtcNow())], (p, e) => p.Evolve(e), cancellationToken, exclusive: PlanRules.LockedByEveryWriter);
            return await session.DetailsAsync(plan, version, cancellationToken);
        }
    }
}
