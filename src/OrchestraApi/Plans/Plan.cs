using OrchestraApi.Kernel;
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

/// <summary>A discipline's plan (or pilot) under one outcome, folded from its events; kept as an inline snapshot.</summary>
/// <remarks>
/// Activities are streams of their own (<see cref="Activity"/>); the plan keeps only what its rules need of them,
/// as running totals, so a command costs the same in a plan of 5 or 5,000 activities.
/// </remarks>
/// <param name="Planned">Sum of the budgets of activities that are not cancelled.</param>
/// <param name="ActivityCount">Activities that are not cancelled.</param>
/// <param name="OpenActivities">Activities planned or in progress.</param>
/// <param name="DoneActivities">Activities done.</param>
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
    decimal Planned,
    int ActivityCount,
    int OpenActivities,
    int DoneActivities,
    DateTimeOffset DraftedAt,
    DateTimeOffset UpdatedAt)
    : IFold<Plan>, IStreamVersioned
{
    /// <summary>The stream version, set by Marten.</summary>
    public long Version { get; set; }

    /// <summary>Every activity the plan holds or held, cancelled ones included: what the plan's read lists.</summary>
    public int HeldActivities { get; init; }

    public bool IsPilot => PilotScope is not null;

    /// <summary>Not cancelled, completed or promoted: a plan that can still change.</summary>
    public bool IsOpen => Status is not (PlanStatus.Completed or PlanStatus.Cancelled or PlanStatus.Promoted);

    /// <summary>Unique per organisation (index): one live plan per discipline per outcome. Null for pilots and cancelled plans.</summary>
    public string? LiveSlot => IsLivePlan ? $"{OutcomeId:N}:{Discipline}" : null;

    /// <summary>Its discipline's live plan: not a pilot, not cancelled (at most one per discipline and outcome).</summary>
    public bool IsLivePlan => IsLive(PilotScope, Status);

    /// <summary>The one rule of "the discipline's live plan", for a plan and for what is read of one (<see cref="PlanAllocation"/>).</summary>
    public static bool IsLive(string? pilotScope, PlanStatus status) => pilotScope is null && status != PlanStatus.Cancelled;

    public static Plan Start(PlanDrafted e) => new(
        e.PlanId, e.OutcomeId, e.Discipline, e.Title, e.Objective, e.Orchestrator, e.Budget, e.PilotScope, e.OverAllocationAccepted,
        PlanStatus.Draft, null, null, null, 0m, 0, 0, 0, e.At, e.At);

    public static Plan Start(object first) => first is PlanDrafted e ? Start(e) : throw new UnknownEventException(typeof(Plan), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public Plan Evolve(object e) => e switch
    {
        PlanRevised x => On(x),
        PlanSubmitted x => On(x),
        PlanApproved x => On(x),
        PlanReturned x => On(x),
        PlanCompleted x => On(x),
        PlanCancelled x => On(x),
        PilotPromoted x => On(x),
        ActivityAdded x => On(x),
        ActivityBudgetChanged x => On(x),
        ActivityClosed x => On(x),
        PlanExecutionStarted x => On(x),
        _ => throw new UnknownEventException(typeof(Plan), e),
    };

    private Plan On(PlanRevised e) => this with
    {
        Title = e.Title ?? Title,
        Objective = e.Objective ?? Objective,
        Orchestrator = e.Orchestrator ?? Orchestrator,
        Budget = e.Budget ?? Budget,
        OverAllocationAccepted = e.OverAllocationAccepted ?? OverAllocationAccepted,
        UpdatedAt = e.At,
    };

    private Plan On(PlanSubmitted e) => this with { Status = PlanStatus.Submitted, UpdatedAt = e.At };

    private Plan On(PlanApproved e) => this with { Status = PlanStatus.Approved, ReturnComments = null, UpdatedAt = e.At };

    private Plan On(PlanReturned e) => this with { Status = PlanStatus.Returned, ReturnComments = e.Comments, UpdatedAt = e.At };

    private Plan On(PlanCompleted e) => this with { Status = PlanStatus.Completed, UpdatedAt = e.At };

    private Plan On(PlanCancelled e) => this with { Status = PlanStatus.Cancelled, ClosingReason = e.Reason, UpdatedAt = e.At };

    private Plan On(PilotPromoted e) => this with { Status = PlanStatus.Promoted, PromotedInto = e.IntoPlanId, UpdatedAt = e.At };

    private Plan On(ActivityAdded e) => this with
    {
        Planned = Planned + e.Budget,
        ActivityCount = ActivityCount + 1,
        HeldActivities = HeldActivities + 1,
        OpenActivities = OpenActivities + (e.Status is ActivityStatus.Planned or ActivityStatus.InProgress ? 1 : 0),
        DoneActivities = DoneActivities + (e.Status == ActivityStatus.Done ? 1 : 0),
        UpdatedAt = e.At,
    };

    private Plan On(ActivityBudgetChanged e) => this with { Planned = Planned - e.Previous + e.Budget, UpdatedAt = e.At };

    private Plan On(ActivityClosed e) => e.Status == ActivityStatus.Done
        ? this with { OpenActivities = OpenActivities - 1, DoneActivities = DoneActivities + 1, UpdatedAt = e.At }
        : this with { OpenActivities = OpenActivities - 1, ActivityCount = ActivityCount - 1, Planned = Planned - e.Budget, UpdatedAt = e.At };

    private Plan On(PlanExecutionStarted e) => this with { Status = PlanStatus.InExecution, UpdatedAt = e.At };
}
