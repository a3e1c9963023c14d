using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>One change to a plan or one of its activities: what happened, who did it, when, and the version it produced.</summary>
/// <param name="Version">The version of the plan, or of the activity when <c>activityId</c> is set.</param>
/// <param name="Summary">What happened, in a sentence.</param>
/// <param name="ActivityId">The activity the change is about; null for a change to the plan itself.</param>
public sealed record PlanChange(long Version, [property: MaxLength(100)] string Change, [property: MaxLength(ContractLimits.MaxWrittenText)] string Summary, [property: MaxLength(200)] string By, DateTimeOffset At, Guid? ActivityId = null);

/// <summary>
/// The plan's stream and, merged in order, the streams of the activities while they were in the plan (the plan's
/// own records of activities are left out: the activities' events tell the same, in more detail).
/// </summary>
public sealed record GetPlanHistory(Guid PlanId, PageRequest Page) : IRequest<Page<PlanChange>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetPlanHistory, Page<PlanChange>>
    {
        public async Task<Page<PlanChange>> Handle(GetPlanHistory query, CancellationToken cancellationToken)
        {
            var limit = Cursor.Limit(query.Page.Limit);
            var after = Cursor.DecodePosition(query.Page.Cursor);
            var planId = query.PlanId;
            if (planId == Guid.Empty || await session.Events.FetchStreamStateAsync(planId, cancellationToken) is null)
            {
                throw new NotFoundException($"Plan {planId} was not found.");
            }

            // Every activity that was ever in the plan joined it through an ActivityAdded in the plan's stream.
            var own = await session.Events.FetchStreamAsync(planId, token: cancellationToken);
            Guid[] streams = [planId, .. own.Select(e => e.Data).OfType<ActivityAdded>().Select(a => a.ActivityId).Distinct()];
            var found = new List<JasperFx.Events.IEvent>();
            while (found.Count <= limit)
            {
                var from = after;
                var batch = await session.Events.QueryAllRawEvents()
                    .Where(e => streams.Contains(e.StreamId) && e.Sequence > from)
                    .OrderBy(e => e.Sequence)
                    .Take(limit + 1)
                    .ToListAsync(cancellationToken);
                found.AddRange(batch.Where(e => e.Data is IActivityEvent activity ? activity.PlanId == planId : e.Data is not (ActivityAdded or ActivityBudgetChanged or ActivityClosed)));
                if (batch.Count <= limit)
                {
                    break;
                }

                after = batch[^1].Sequence;
            }

            return Cursor.Slice(found, limit, e => Cursor.Encode(e.Sequence), e => Describe(e.Version, e.Data) with { ActivityId = e.StreamId == planId ? null : e.StreamId });
        }
    }

    /// <summary>A plan's or an activity's event, as a change people read.</summary>
    internal static PlanChange Describe(long version, object e) => e switch
    {
        PlanDrafted x => new(version, x.PilotScope is null ? "drafted" : "pilot-drafted", $"Drafted {(x.PilotScope is null ? "plan" : $"pilot ({x.PilotScope})")} '{x.Title}' for {x.Discipline}, budget {x.Budget}{(x.OverAllocationAccepted ? ", over-allocating the outcome" : "")}.", x.By, x.At),
        PlanRevised x => new(version, "revised", $"Revised {string.Join(", ", new[] { x.Title is null ? null : "title", x.Objective is null ? null : "objective", x.Orchestrator is null ? null : "orchestrator", x.Budget is { } b ? $"budget to {b}" : null }.OfType<string>())}.", x.By, x.At),
        PlanSubmitted x => new(version, "submitted", "Submitted to the conductor.", x.By, x.At),
        PlanApproved x => new(version, "approved", "Approved by the conductor.", x.By, x.At),
        PlanReturned x => new(version, "returned", $"Returned with comments: {x.Comments}", x.By, x.At),
        PlanCompleted x => new(version, "completed", "Completed: every activity is done or cancelled.", x.By, x.At),
        PlanCancelled x => new(version, "cancelled", $"Cancelled: {x.Reason}", x.By, x.At),
        PilotPromoted x => new(version, "promoted", $"Promoted into plan {x.IntoPlanId}.", x.By, x.At),
        ActivityScheduled x => new(version, "activity-scheduled", $"Scheduled '{x.Spec.Name}' ({x.Spec.Channel}), {x.Spec.StartsOn:yyyy-MM-dd} to {x.Spec.EndsOn:yyyy-MM-dd}, {x.Spec.Budget}.", x.By, x.At),
        ActivityCarriedOver x => new(version, "activity-carried-over", $"Carried over '{x.Spec.Name}' from pilot {x.FromPilotId}.", x.By, x.At),
        ActivityRescheduled x => new(version, "activity-rescheduled", $"Rescheduled activity {x.ActivityId} to {x.StartsOn:yyyy-MM-dd} – {x.EndsOn:yyyy-MM-dd}.", x.By, x.At),
        ActivityRebudgeted x => new(version, "activity-rebudgeted", $"Re-budgeted activity {x.ActivityId} to {x.Budget}.", x.By, x.At),
        ActivityStarted x => new(version, "activity-started", $"Started activity {x.ActivityId}.", x.By, x.At),
        ActivityCompleted x => new(version, "activity-completed", $"Completed activity {x.ActivityId}.", x.By, x.At),
        ActivityCancelled x => new(version, "activity-cancelled", $"Cancelled activity {x.ActivityId}: {x.Reason}", x.By, x.At),
        ActivityAdded x => new(version, "activity-added", $"Added activity '{x.Name}' ({x.ActivityId}), {x.Budget:N2}{(x.Status == ActivityStatus.Planned ? "" : $", {x.Status}")}.", x.By, x.At),
        ActivityBudgetChanged x => new(version, "activity-budget-changed", $"Activity {x.ActivityId}'s budget changed from {x.Previous:N2} to {x.Budget:N2}.", x.By, x.At),
        ActivityClosed x => new(version, x.Status == ActivityStatus.Done ? "activity-done" : "activity-cancelled", $"Activity {x.ActivityId} is {x.Status}.", x.By, x.At),
        PlanExecutionStarted x => new(version, "execution-started", $"In execution: activity {x.ActivityId} started.", x.By, x.At),
        _ => new(version, "other", e.GetType().Name, "unknown", DateTimeOffset.MinValue),
    };
}
