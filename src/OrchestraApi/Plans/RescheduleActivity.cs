using System.Text.Json.Serialization;
using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>New dates for an activity, inside the outcome's window.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RescheduleActivityRequest(DateOnly StartsOn, DateOnly EndsOn) : IHasExample<RescheduleActivityRequest>
{
    public static RescheduleActivityRequest Example => new(new DateOnly(2027, 3, 15), new DateOnly(2027, 5, 15));
}

public sealed record RescheduleActivity(Guid PlanId, Guid ActivityId, long ExpectedVersion, RescheduleActivityRequest Request, Caller Caller) : ICommand<ActivityDetails>, IActivityChange
{
    public bool ChangesPlan => false;

    public async Task<ActivityDecision> DecideAsync(Plan plan, Activity activity, Func<Task<Outcome>> outcome, DateTimeOffset now) =>
        PlanRules.Reschedule(plan, activity, await outcome(), Request.StartsOn, Request.EndsOn, Caller.Name, now);

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : ActivityChangeHandler<RescheduleActivity>(session, clock);
}
