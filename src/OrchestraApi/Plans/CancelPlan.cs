using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>Why, for the record.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CancelRequest([property: Required, StringLength(2000, MinimumLength = 1)] string Reason) : IHasExample<CancelRequest>
{
    public static CancelRequest Example => new("The retailer pulled out of the joint promotion.");
}

/// <summary>Cancels the plan and every activity not yet done or cancelled.</summary>
public sealed record CancelPlan(Guid PlanId, long ExpectedVersion, CancelRequest Request, Caller Caller) : ICommand<PlanDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<CancelPlan, PlanDetails>
    {
        public async Task<PlanDetails> Handle(CancelPlan command, CancellationToken cancellationToken)
        {
            var (plan, version) = await session.DecideAsync<Plan>(command.PlanId, command.ExpectedVersion, p =>
            {
                PlanAccess.EnsureMayEdit(command.Caller, p.Discipline);
                return PlanRules.Cancel(p, command.Request.Reason, command.Caller.Name, clock.GetUtcNow());
            }, (p, e) => p.Next(e), cancellationToken);
            return await session.DetailsAsync(plan, version, cancellationToken);
        }
    }
}
