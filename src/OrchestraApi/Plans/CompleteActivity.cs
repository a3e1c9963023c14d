using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record CompleteActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public bool ChangesPlan => true;

    public Task<ActivityDecision> DecideAsync(Plan plan, Activity activity, Func<Task<Outcome>> outcome, DateTimeOffset now) =>
        Task.FromResult(PlanRules.Complete(plan, activity, Caller.Name, now));

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<CompleteActivity>(session, clock);
}
