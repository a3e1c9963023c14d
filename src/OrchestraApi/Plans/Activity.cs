using OrchestraApi.Organisations;

namespace OrchestraApi.Plans;

/// <summary>
/// An activity, folded from its own stream and kept as an inline snapshot: the write model of its commands and the
/// read model of lists. It has its own version, so changes to different activities of one plan never collide.
/// </summary>
public sealed record Activity(Guid Id, Guid PlanId, Guid OutcomeId, Discipline Discipline, ActivitySpec Spec, ActivityStatus Status, DateTimeOffset UpdatedAt)
{
    /// <summary>The stream version, set by Marten: the activity's ETag.</summary>
    public long Version { get; set; }

    /// <summary>Why it was cancelled (what its connections report as the reason they broke).</summary>
    public string? ClosingReason { get; init; }

    public bool IsFinal => Status is ActivityStatus.Done or ActivityStatus.Cancelled;

    public static Activity Create(ActivityScheduled e) => new(e.ActivityId, e.PlanId, e.OutcomeId, e.Discipline, e.Spec, ActivityStatus.Planned, e.At);

    /// <summary>The fold the write path uses to answer with the new state before Marten's snapshot is saved.</summary>
    public Activity Next(object e) => e switch
    {
        ActivityCarriedOver x => Apply(x),
        ActivityRescheduled x => Apply(x),
        ActivityRebudgeted x => Apply(x),
        ActivityStarted x => Apply(x),
        ActivityCompleted x => Apply(x),
        ActivityCancelled x => Apply(x),
        _ => this,
    };

    /// <summary>The state after one more event of its stream, with the version that event gives it.</summary>
    public Activity After(object e)
    {
        var next = Next(e);
        next.Version = Version + 1;
        return next;
    }

    public Activity Apply(ActivityCarriedOver e) => this with { PlanId = e.PlanId, UpdatedAt = e.At };

    public Activity Apply(ActivityRescheduled e) => this with { Spec = Spec with { StartsOn = e.StartsOn, EndsOn = e.EndsOn }, UpdatedAt = e.At };

    public Activity Apply(ActivityRebudgeted e) => this with { Spec = Spec with { Budget = e.Budget }, UpdatedAt = e.At };

    public Activity Apply(ActivityStarted e) => this with { Status = ActivityStatus.InProgress, UpdatedAt = e.At };

    public Activity Apply(ActivityCompleted e) => this with { Status = ActivityStatus.Done, UpdatedAt = e.At };

    public Activity Apply(ActivityCancelled e) => this with { Status = ActivityStatus.Cancelled, ClosingReason = e.Reason, UpdatedAt = e.At };
}
