using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>A change to one activity of a plan: the use cases below differ only in their rule.</summary>
public interface IActivityChange
{
    Guid PlanId { get; }

    Guid ActivityId { get; }

    /// <summary>The activity's version (its ETag), not the plan's.</summary>
    long ExpectedVersion { get; }

    Caller Caller { get; }

    /// <summary>
    /// True when the change moves the plan's totals or state (budget, open activities, execution), so the plan is
    /// locked exclusively; otherwise it is locked shared and changes to other activities proceed alongside.
    /// </summary>
    bool ChangesPlan { get; }

    /// <summary>The rule; <paramref name="outcome"/> reads the outcome only for the changes that need it.</summary>
    Task<ActivityDecision> DecideAsync(Plan plan, Activity activity, Func<Task<Outcome>> outcome, DateTimeOffset now);
}

/// <summary>
/// Locks the plan (so its rules see totals nobody else is changing; concurrent writers wait rather than fail), checks
/// the activity's own If-Match, decides, and appends to the activity's stream and, where the plan's totals move, to
/// the plan's. Writers of different activities of one plan never see each other's versions.
/// </summary>
public abstract class ActivityChangeHandler<TCommand>(IDocumentSession session, TimeProvider clock) : IRequestHandler<TCommand, ActivityDetails>
    where TCommand : IActivityChange, IRequest<ActivityDetails>
{
    public async Task<ActivityDetails> Handle(TCommand command, CancellationToken cancellationToken)
    {
        // The activity's stream is enlisted first so that its events come before the plan's in the shared history;
        // only the plan is locked (the activity's own version is checked when its events are appended).
        var activityStream = await session.FetchAsync<Activity>(command.ActivityId, cancellationToken);
        var planStream = command.ChangesPlan ? await session.LockAsync<Plan>(command.PlanId, cancellationToken) : null;
        var plan = planStream?.Aggregate ?? await session.ShareLockAsync<Plan>(command.PlanId, cancellationToken);
        PlanAccess.EnsureMayEdit(command.Caller, plan.Discipline);
        var activity = activityStream.Aggregate!;
        if (activity.PlanId != plan.Id)
        {
            throw new NotFoundException($"Plan {plan.Id} has no activity {command.ActivityId}.");
        }

        var version = activityStream.CurrentVersion ?? 0;
        Versions.Ensure(command.ExpectedVersion, version);
        var decision = await command.DecideAsync(plan, activity, () => session.OutcomeAsync(plan.OutcomeId, cancellationToken), clock.GetUtcNow());
        activityStream.AppendMany(decision.ActivityEvents);
        if (decision.PlanEvents.Count > 0)
        {
            planStream!.AppendMany(decision.PlanEvents);
        }

        return ActivityDetails.From(decision.ActivityEvents.Aggregate(activity, (a, e) => a.Evolve(e)), version + decision.ActivityEvents.Count);
    }
}
