using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record CancelActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, CancelRequest Request, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public bool ChangesPlan => true;

    public Task<ActivityDecision> DecideAsync(Plan plan, Activity activity, Func<Task<Outcome>> outcome, DateTimeOffset now) =>
        Task.FromResult(PlanRules.CancelActivity(plan, activity, Request.Reason, Caller.Name, now));

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<CancelActivity>(session, clock);
}
