using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>draft → submitted → approved → in execution → completed, or returned (to revise and resubmit), cancelled; a pilot may end promoted.</summary>
public enum PlanStatus
{
    Draft,
    Submitted,
    Returned,
    Approved,
    InExecution,
    Completed,
    Cancelled,
    Promoted,
}

/// <summary>planned → in progress → done | cancelled; done and cancelled are final.</summary>
public enum ActivityStatus
{
    Planned,
    InProgress,
    Done,
    Cancelled,
}

/// <summary>Where an activity reaches people. <c>Other</c> needs a label.</summary>
public enum Channel
{
    Tv,
    Radio,
    Print,
    OutOfHome,
    PaidSearch,
    PaidSocial,
    Display,
    PressRelease,
    MediaEvent,
    InfluencerProgramme,
    CommunityProgramme,
    Content,
    Seo,
    Email,
    DirectMail,
    Telemarketing,
    LoyaltyProgramme,
    Website,
    Event,
    Other,
}

/// <summary>
/// What the plan's rules need of an activity. Its details (name, channel, audience, KPIs) live in the activity view,
/// so the plan stays small: it is read and written whole on every command.
/// </summary>
/// <param name="Budget">In the plan's currency.</param>
public sealed record ActivityState(Guid Id, ActivityStatus Status, decimal Budget, DateOnly StartsOn, DateOnly EndsOn)
{
    public bool IsFinal => Status is ActivityStatus.Done or ActivityStatus.Cancelled;

    public static ActivityState Of(Guid id, ActivitySpec spec, ActivityStatus status) => new(id, status, spec.Budget.Amount, spec.StartsOn, spec.EndsOn);
}

/// <summary>A discipline's plan (or pilot) under one outcome, folded from its events; kept as an inline snapshot.</summary>
public sealed record Plan(
    Guid Id,
    Guid OutcomeId,
    Discipline Discipline,
    string Title,
    string Objective,
    string Orchestrator,
    Money Budget,
    string? PilotScope,
    bool OverAllocationAccepted,
    PlanStatus Status,
    string? ReturnComments,
    string? ClosingReason,
    Guid? PromotedInto,
    IReadOnlyList<ActivityState> Activities,
    DateTimeOffset DraftedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The stream version, set by Marten.</summary>
    public long Version { get; set; }

    public bool IsPilot => PilotScope is not null;

    /// <summary>Not cancelled, completed or promoted: a plan that can still change.</summary>
    public bool IsOpen => Status is not (PlanStatus.Completed or PlanStatus.Cancelled or PlanStatus.Promoted);

    /// <summary>Unique per organisation (index): one live plan per discipline per outcome. Null for pilots and cancelled plans.</summary>
    public string? LiveSlot => !IsPilot && Status != PlanStatus.Cancelled ? $"{OutcomeId:N}:{Discipline}" : null;

    /// <summary>Sum of the budgets of activities that are not cancelled.</summary>
    public decimal Planned => Activities.Where(a => a.Status != ActivityStatus.Cancelled).Sum(a => a.Budget);

    public static Plan Create(PlanDrafted e) => new(
        e.PlanId, e.OutcomeId, e.Discipline, e.Title, e.Objective, e.Orchestrator, e.Budget, e.PilotScope, e.OverAllocationAccepted,
        PlanStatus.Draft, null, null, null, [], e.At, e.At);

    /// <summary>The fold the write path uses to answer with the new state before Marten's snapshot is saved.</summary>
    public Plan Next(object e) => e switch
    {
        PlanRevised x => Apply(x),
        PlanSubmitted x => Apply(x),
        PlanApproved x => Apply(x),
        PlanReturned x => Apply(x),
        PlanCompleted x => Apply(x),
        PlanCancelled x => Apply(x),
        PilotPromoted x => Apply(x),
        ActivityScheduled x => Apply(x),
        ActivityCarriedOver x => Apply(x),
        ActivityRescheduled x => Apply(x),
        ActivityRebudgeted x => Apply(x),
        ActivityStarted x => Apply(x),
        ActivityCompleted x => Apply(x),
        ActivityCancelled x => Apply(x),
        _ => this,
    };

    public Plan Apply(PlanRevised e) => this with
    {
        Title = e.Title ?? Title,
        Objective = e.Objective ?? Objective,
        Orchestrator = e.Orchestrator ?? Orchestrator,
        Budget = e.Budget ?? Budget,
        OverAllocationAccepted = e.OverAllocationAccepted ?? OverAllocationAccepted,
        UpdatedAt = e.At,
    };

    public Plan Apply(PlanSubmitted e) => this with { Status = PlanStatus.Submitted, UpdatedAt = e.At };

    public Plan Apply(PlanApproved e) => this with { Status = PlanStatus.Approved, ReturnComments = null, UpdatedAt = e.At };

    public Plan Apply(PlanReturned e) => this with { Status = PlanStatus.Returned, ReturnComments = e.Comments, UpdatedAt = e.At };

    public Plan Apply(PlanCompleted e) => this with { Status = PlanStatus.Completed, UpdatedAt = e.At };

    public Plan Apply(PlanCancelled e) => this with { Status = PlanStatus.Cancelled, ClosingReason = e.Reason, UpdatedAt = e.At };

    public Plan Apply(PilotPromoted e) => this with { Status = PlanStatus.Promoted, PromotedInto = e.IntoPlanId, UpdatedAt = e.At };

    public Plan Apply(ActivityScheduled e) => this with { Activities = [.. Activities, ActivityState.Of(e.ActivityId, e.Spec, ActivityStatus.Planned)], UpdatedAt = e.At };

    public Plan Apply(ActivityCarriedOver e) => this with { Activities = [.. Activities, ActivityState.Of(e.ActivityId, e.Spec, e.Status)], UpdatedAt = e.At };

    public Plan Apply(ActivityRescheduled e) => Change(e.ActivityId, a => a with { StartsOn = e.StartsOn, EndsOn = e.EndsOn }, e.At);

    public Plan Apply(ActivityRebudgeted e) => Change(e.ActivityId, a => a with { Budget = e.Budget.Amount }, e.At);

    // The first activity started puts an approved plan into execution.
    public Plan Apply(ActivityStarted e) =>
        Change(e.ActivityId, a => a with { Status = ActivityStatus.InProgress }, e.At) with
        {
            Status = Status == PlanStatus.Approved ? PlanStatus.InExecution : Status,
        };

    public Plan Apply(ActivityCompleted e) => Change(e.ActivityId, a => a with { Status = ActivityStatus.Done }, e.At);

    public Plan Apply(ActivityCancelled e) => Change(e.ActivityId, a => a with { Status = ActivityStatus.Cancelled }, e.At);

    private Plan Change(Guid activityId, Func<ActivityState, ActivityState> change, DateTimeOffset at) =>
        this with { Activities = [.. Activities.Select(a => a.Id == activityId ? change(a) : a)], UpdatedAt = at };
}
