using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;
using OrchestraApi.Status;

namespace OrchestraApi.Plans;

// A plan's stream (a pilot is a plan with a scope), then each activity's own stream. Shipped events are never
// renamed or repurposed. Activity events live in the activity's stream; the plan's stream records what its rules
// need of them (ActivityAdded, ActivityBudgetChanged, ActivityClosed, PlanExecutionStarted).

/// <summary>An event of an activity's own stream; <c>PlanId</c> is the plan it belongs to from then on.</summary>
public interface IActivityEvent
{
    Guid PlanId { get; }

    Guid ActivityId { get; }
}

public sealed record PlanDrafted(
    Guid PlanId, Guid OutcomeId, Discipline Discipline, string Title, string Objective, string Orchestrator, Money Budget,
    string? PilotScope, bool OverAllocationAccepted, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

/// <summary>Only the fields that changed are set.</summary>
public sealed record PlanRevised(
    Guid PlanId, Guid OutcomeId, string? Title, string? Objective, string? Orchestrator, Money? Budget, bool? OverAllocationAccepted, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

public sealed record PlanSubmitted(Guid PlanId, Guid OutcomeId, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

public sealed record PlanApproved(Guid PlanId, Guid OutcomeId, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

public sealed record PlanReturned(Guid PlanId, Guid OutcomeId, string Comments, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

/// <summary>Every activity of an executing plan is done or cancelled.</summary>
public sealed record PlanCompleted(Guid PlanId, Guid OutcomeId, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

public sealed record PlanCancelled(Guid PlanId, Guid OutcomeId, string Reason, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

/// <summary>The pilot's activities went into <paramref name="IntoPlanId"/>; the pilot is closed.</summary>
public sealed record PilotPromoted(Guid PlanId, Guid OutcomeId, Guid IntoPlanId, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

/// <summary>What an activity is: the part that scheduling decides and carrying over copies.</summary>
public sealed record ActivitySpec(
    string Name, Channel Channel, string? ChannelLabel, DateOnly StartsOn, DateOnly EndsOn, Money Budget, string? Audience, IReadOnlyList<string> KpiKeys, Guid? SegmentId = null);

/// <summary>The first event of an activity's stream.</summary>
public sealed record ActivityScheduled(Guid PlanId, Guid ActivityId, Guid OutcomeId, Discipline Discipline, ActivitySpec Spec, string By, DateTimeOffset At) : IActivityEvent, IEventOf<Activity>, IOutcomeEvent;

/// <summary>The activity moved from a promoted pilot into <paramref name="PlanId"/>, keeping its status.</summary>
public sealed record ActivityCarriedOver(
    Guid PlanId, Guid ActivityId, Guid FromPilotId, Guid OutcomeId, Discipline Discipline, ActivitySpec Spec, ActivityStatus Status, string By, DateTimeOffset At) : IActivityEvent, IEventOf<Activity>, IOutcomeEvent;

public sealed record ActivityRescheduled(Guid PlanId, Guid OutcomeId, Guid ActivityId, DateOnly StartsOn, DateOnly EndsOn, string By, DateTimeOffset At) : IActivityEvent, IEventOf<Activity>, IOutcomeEvent;

public sealed record ActivityRebudgeted(Guid PlanId, Guid OutcomeId, Guid ActivityId, Money Budget, string By, DateTimeOffset At) : IActivityEvent, IEventOf<Activity>, IOutcomeEvent;

public sealed record ActivityStarted(Guid PlanId, Guid OutcomeId, Guid ActivityId, string By, DateTimeOffset At) : IActivityEvent, IEventOf<Activity>, IOutcomeEvent;

public sealed record ActivityCompleted(Guid PlanId, Guid OutcomeId, Guid ActivityId, string By, DateTimeOffset At) : IActivityEvent, IEventOf<Activity>, IOutcomeEvent;

public sealed record ActivityCancelled(Guid PlanId, Guid OutcomeId, Guid ActivityId, string Reason, string By, DateTimeOffset At) : IActivityEvent, IEventOf<Activity>, IOutcomeEvent;

/// <summary>Plan stream: an activity joined the plan (scheduled, or carried over from a pilot with its status).</summary>
public sealed record ActivityAdded(Guid PlanId, Guid OutcomeId, Guid ActivityId, string Name, decimal Budget, ActivityStatus Status, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

/// <summary>Plan stream: an activity's budget changed from <paramref name="Previous"/>.</summary>
public sealed record ActivityBudgetChanged(Guid PlanId, Guid OutcomeId, Guid ActivityId, decimal Budget, decimal Previous, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

/// <summary>Plan stream: an activity became final (done or cancelled); a cancelled one's budget leaves the plan.</summary>
public sealed record ActivityClosed(Guid PlanId, Guid OutcomeId, Guid ActivityId, ActivityStatus Status, decimal Budget, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;

/// <summary>Plan stream: the first activity of an approved plan started.</summary>
public sealed record PlanExecutionStarted(Guid PlanId, Guid OutcomeId, Guid ActivityId, string By, DateTimeOffset At) : IEventOf<Plan>, IOutcomeEvent;
