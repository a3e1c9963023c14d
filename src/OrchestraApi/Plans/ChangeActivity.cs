using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>New dates for an activity, inside the outcome's window.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RescheduleActivityRequest(DateOnly StartsOn, DateOnly EndsOn) : IHasExample<RescheduleActivityRequest>
{
    public static RescheduleActivityRequest Example => new(new DateOnly(2027, 3, 15), new DateOnly(2027, 5, 15));
}

/// <summary>A new budget for an activity, in the plan's currency.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RebudgetActivityRequest([property: Required] Money Budget) : IHasExample<RebudgetActivityRequest>
{
    public static RebudgetActivityRequest Example => new(new Money(52_000m, "EUR"));
}

public sealed record RescheduleActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, RescheduleActivityRequest Request, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public Task<IReadOnlyList<object>> DecideAsync(Plan plan, Outcome outcome, DateTimeOffset now) =>
        Task.FromResult<IReadOnlyList<object>>([PlanRules.Reschedule(plan, outcome, ActivityId, Request.StartsOn, Request.EndsOn, Caller.Name, now)]);

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<RescheduleActivity>(session, clock);
}

public sealed record RebudgetActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, RebudgetActivityRequest Request, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public Task<IReadOnlyList<object>> DecideAsync(Plan plan, Outcome outcome, DateTimeOffset now) =>
        Task.FromResult<IReadOnlyList<object>>([PlanRules.Rebudget(plan, ActivityId, Request.Budget, Caller.Name, now)]);

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<RebudgetActivity>(session, clock);
}

public sealed record StartActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public Task<IReadOnlyList<object>> DecideAsync(Plan plan, Outcome outcome, DateTimeOffset now) =>
        Task.FromResult<IReadOnlyList<object>>([PlanRules.Start(plan, ActivityId, Caller.Name, now)]);

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<StartActivity>(session, clock);
}

public sealed record CompleteActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public Task<IReadOnlyList<object>> DecideAsync(Plan plan, Outcome outcome, DateTimeOffset now) =>
        Task.FromResult<IReadOnlyList<object>>(PlanRules.Complete(plan, ActivityId, Caller.Name, now));

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<CompleteActivity>(session, clock);
}

public sealed record CancelActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, CancelRequest Request, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public Task<IReadOnlyList<object>> DecideAsync(Plan plan, Outcome outcome, DateTimeOffset now) =>
        Task.FromResult<IReadOnlyList<object>>(PlanRules.CancelActivity(plan, ActivityId, Request.Reason, Caller.Name, now));

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<CancelActivity>(session, clock);
}

/// <summary>A change to one activity of a plan: the use cases above differ only in their rule.</summary>
public interface IActivityChange
{
    Guid PlanId { get; }

    Guid ActivityId { get; }

    long ExpectedVersion { get; }

    Caller Caller { get; }

    Task<IReadOnlyList<object>> DecideAsync(Plan plan, Outcome outcome, DateTimeOffset now);
}

public abstract class ActivityChangeHandler<TCommand>(IDocumentSession session, TimeProvider clock) : IRequestHandler<TCommand, ActivityDetails>
    where TCommand : IActivityChange, IRequest<ActivityDetails>
{
    public async Task<ActivityDetails> Handle(TCommand command, CancellationToken cancellationToken)
    {
        var (plan, version) = await session.DecideAsync<Plan>(command.PlanId, command.ExpectedVersion, async p =>
        {
            PlanAccess.EnsureMayEdit(command.Caller, p.Discipline);
            var outcome = await session.OutcomeAsync(p.OutcomeId, cancellationToken);
            return await command.DecideAsync(p, outcome, clock.GetUtcNow());
        }, (p, e) => p.Next(e), cancellationToken);
        return ActivityDetails.From(plan, version, plan.Activities.First(a => a.Id == command.ActivityId));
    }
}
