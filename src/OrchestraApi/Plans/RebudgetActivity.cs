using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>A new budget for an activity, in the plan's currency.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RebudgetActivityRequest([property: Required] Money Budget) : IHasExample<RebudgetActivityRequest>
{
    public static RebudgetActivityRequest Example => new(new Money(52_000m, "EUR"));
}

public sealed record RebudgetActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, RebudgetActivityRequest Request, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public bool ChangesPlan => true;

    public Task<ActivityDecision> DecideAsync(Plan plan, Activity activity, Func<Task<Outcome>> outcome, DateTimeOffset now) =>
        Task.FromResult(PlanRules.Rebudget(plan, activity, Request.Budget, Caller.Name, now));

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<RebudgetActivity>(session, clock);
}
