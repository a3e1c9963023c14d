using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record CancelActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, CancelRequest Request, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public Task<IReadOnlyList<object>> DecideAsync(Plan plan, Func<Task<Outcome>> outcome, DateTimeOffset now) =>
        Task.FromResult<IReadOnlyList<object>>(PlanRules.CancelActivity(plan, ActivityId, Request.Reason, Caller.Name, now));

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<CancelActivity>(session, clock);
}
