using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>Why, for the record.</summary>
/// <param name="Reason">Why, as given.</param>
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
            IReadOnlyList<Activity> activities = [];
            var (plan, version) = await session.DecideAsync<Plan>(command.PlanId, command.ExpectedVersion, async p =>
            {
                PlanAccess.EnsureMayEdit(command.Caller, p.Discipline);
                var all = await session.ActivitiesOfAsync(p.Id, cancellationToken);
                var (planEvents, activityEvents) = PlanRules.Cancel(p, [.. all.Where(a => !a.IsFinal)], command.Request.Reason, command.Caller.Name, clock.GetUtcNow());
                activities = [.. all.Select(a => activityEvents.FirstOrDefault(c => c.ActivityId == a.Id) is { } c ? a.After(c) : a)];
                // The plan is locked, and every activity change locks it first: nobody else writes these activities now.
                foreach (var cancelled in activityEvents)
                {
                    session.Events.Append(cancelled.ActivityId, cancelled);
                }

                return planEvents;
            }, (p, e) => p.Evolve(e), cancellationToken, exclusive: true);
            return PlanDetails.From(plan, version, activities);
        }
    }
}
