using Marten;
using MediatR;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>A change to one activity of a plan: the use cases above differ only in their rule.</summary>
public interface IActivityChange
{
    Guid PlanId { get; }

    Guid ActivityId { get; }

    long ExpectedVersion { get; }

    Caller Caller { get; }

    /// <summary>The rule; <paramref name="outcome"/> reads the outcome only for the changes that need it.</summary>
    Task<IReadOnlyList<object>> DecideAsync(Plan plan, Func<Task<Outcome>> outcome, DateTimeOffset now);
}

public abstract class ActivityChangeHandler<TCommand>(IDocumentSession session, TimeProvider clock) : IRequestHandler<TCommand, ActivityDetails>
    where TCommand : IActivityChange, IRequest<ActivityDetails>
{
    public async Task<ActivityDetails> Handle(TCommand command, CancellationToken cancellationToken)
    {
        var (plan, version) = await session.DecideAsync<Plan>(command.PlanId, command.ExpectedVersion, async p =>
        {
            PlanAccess.EnsureMayEdit(command.Caller, p.Discipline);
            return await command.DecideAsync(p, () => session.OutcomeAsync(p.OutcomeId, cancellationToken), clock.GetUtcNow());
        }, (p, e) => p.Next(e), cancellationToken);
        var view = await session.LoadAsync<ActivityView>(command.ActivityId, cancellationToken);
        return ActivityDetails.From(plan, version, plan.Activities.First(a => a.Id == command.ActivityId), view!.Spec);
    }
}
