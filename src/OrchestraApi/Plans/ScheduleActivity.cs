using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>An activity to schedule in a plan.</summary>
/// <param name="Name">What happens.</param>
/// <param name="Channel">Where it reaches people; <c>Other</c> needs <c>channelLabel</c>.</param>
/// <param name="StartsOn">First day; inside the outcome's window.</param>
/// <param name="EndsOn">Last day; on or after startsOn, inside the outcome's window.</param>
/// <param name="Budget">In the plan's currency. In an approved plan the activities must stay within the plan's budget.</param>
/// <param name="ChannelLabel">Names the channel when it is <c>Other</c>.</param>
/// <param name="Audience">The target audience or segment.</param>
/// <param name="KpiKeys">Keys of the outcome's KPIs this activity contributes to.</param>
/// <param name="SegmentId">The customer segment of the organisation it targets, if any.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ScheduleActivityRequest(
    [property: Required, StringLength(200, MinimumLength = 1)] string Name,
    Channel Channel,
    DateOnly StartsOn,
    DateOnly EndsOn,
    [property: Required] Money Budget,
    [property: StringLength(100, MinimumLength = 1)] string? ChannelLabel = null,
    [property: StringLength(500)] string? Audience = null,
    [property: MaxLength(20), ItemsLength(64)] IReadOnlyList<string>? KpiKeys = null,
    Guid? SegmentId = null)
    : IHasExample<ScheduleActivityRequest>
{
    public static ScheduleActivityRequest Example => new(
        "Win-back email series", Channel.Email, new DateOnly(2027, 3, 1), new DateOnly(2027, 4, 30), new Money(45_000m, "EUR"),
        Audience: "lapsed loyalty members", KpiKeys: ["clv"]);

    public ActivitySpec ToSpec() => new(Name.Trim(), Channel, ChannelLabel?.Trim(), StartsOn, EndsOn, Budget, Audience?.Trim(), KpiKeys?.Distinct().ToArray() ?? [], SegmentId);
}

/// <summary>Adds an activity to a plan: a create, so it takes Idempotency-Key and no If-Match; the plan is locked meanwhile.</summary>
public sealed record ScheduleActivity(Guid PlanId, ScheduleActivityRequest Request, Caller Caller, [property: JsonIgnore] string? IdempotencyKey) : IIdempotentCommand<ActivityDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ScheduleActivity, ActivityDetails>
    {
        public async Task<ActivityDetails> Handle(ScheduleActivity command, CancellationToken cancellationToken)
        {
            if (command.Request.SegmentId is { } segmentId && await session.LoadAsync<Segments.Segment>(segmentId, cancellationToken) is null)
            {
                throw new InvalidInputException("segmentId", "is not a segment of this organisation.");
            }

            var planStream = await session.LockAsync<Plan>(command.PlanId, cancellationToken);
            var plan = planStream.Aggregate!;
            PlanAccess.EnsureMayEdit(command.Caller, plan.Discipline);
            var outcome = await session.OutcomeAsync(plan.OutcomeId, cancellationToken);
            var decision = PlanRules.Schedule(plan, outcome, Guid.CreateVersion7(), command.Request.ToSpec(), command.Caller.Name, clock.GetUtcNow());
            var scheduled = (ActivityScheduled)decision.ActivityEvents[0];
            session.Events.StartStream<Activity>(scheduled.ActivityId, decision.ActivityEvents);
            planStream.AppendMany(decision.PlanEvents);
            return ActivityDetails.From(Activity.Start(scheduled), 1);
        }
    }
}
