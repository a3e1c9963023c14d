using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record StartActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public Task<IReadOnlyList<object>> DecideAsync(Plan plan, Func<Task<Outcome>> outcome, DateTimeOffset now) =>
        Task.FromResult<IReadOnlyList<object>>([PlanRules.Start(plan, ActivityId, Caller.Name, now)]);

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<StartActivity>(session, clock);
}
