using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

// A plan's stream (a pilot is a plan with a scope). Shipped events are never renamed or repurposed.

public sealed record PlanDrafted(
    Guid PlanId, Guid OutcomeId, Discipline Discipline, string Title, string Objective, string Orchestrator, Money Budget,
    string? PilotScope, bool OverAllocationAccepted, string By, DateTimeOffset At);

/// <summary>Only the fields that changed are set.</summary>
public sealed record PlanRevised(
    Guid PlanId, string? Title, string? Objective, string? Orchestrator, Money? Budget, bool? OverAllocationAccepted, string By, DateTimeOffset At);

public sealed record PlanSubmitted(Guid PlanId, string By, DateTimeOffset At);

public sealed record PlanApproved(Guid PlanId, string By, DateTimeOffset At);

public sealed record PlanReturned(Guid PlanId, string Comments, string By, DateTimeOffset At);

/// <summary>Every activity of an executing plan is done or cancelled.</summary>
public sealed record PlanCompleted(Guid PlanId, string By, DateTimeOffset At);

public sealed record PlanCancelled(Guid PlanId, string Reason, string By, DateTimeOffset At);

/// <summary>The pilot's activities went into <paramref name="IntoPlanId"/>; the pilot is closed.</summary>
public sealed record PilotPromoted(Guid PlanId, Guid IntoPlanId, string By, DateTimeOffset At);

/// <summary>What an activity is: the part that scheduling decides and carrying over copies.</summary>
public sealed record ActivitySpec(
    string Name, Channel Channel, string? ChannelLabel, DateOnly StartsOn, DateOnly EndsOn, Money Budget, string? Audience, IReadOnlyList<string> KpiKeys);

public sealed record ActivityScheduled(Guid PlanId, Guid ActivityId, Guid OutcomeId, Discipline Discipline, ActivitySpec Spec, string By, DateTimeOffset At);

/// <summary>An activity that came into this plan from a promoted pilot, with the status it had there.</summary>
public sealed record ActivityCarriedOver(
    Guid PlanId, Guid ActivityId, Guid FromPilotId, Guid OutcomeId, Discipline Discipline, ActivitySpec Spec, ActivityStatus Status, string By, DateTimeOffset At);

public sealed record ActivityRescheduled(Guid PlanId, Guid ActivityId, DateOnly StartsOn, DateOnly EndsOn, string By, DateTimeOffset At);

public sealed record ActivityRebudgeted(Guid PlanId, Guid ActivityId, Money Budget, string By, DateTimeOffset At);

public sealed record ActivityStarted(Guid PlanId, Guid ActivityId, string By, DateTimeOffset At);

public sealed record ActivityCompleted(Guid PlanId, Guid ActivityId, string By, DateTimeOffset At);

public sealed record ActivityCancelled(Guid PlanId, Guid ActivityId, string Reason, string By, DateTimeOffset At);
