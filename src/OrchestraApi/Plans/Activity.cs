using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>
/// An activity, folded from its own stream and kept as an inline snapshot: the write model of its commands and the
/// read model of lists. It has its own version, so changes to different activities of one plan never collide.
/// </summary>
public sealed record Activity(Guid Id, Guid PlanId, Guid OutcomeId, Discipline Discipline, ActivitySpec Spec, ActivityStatus Status, DateTimeOffset UpdatedAt)
    : IFold<Activity>, IStreamVersioned
{
    /// <summary>The stream version, set by Marten: the activity's ETag.</summary>
    public long Version { get; set; }

    /// <summary>Why it was cancelled (what its connections report as the reason they broke).</summary>
    public string? ClosingReason { get; init; }

    public bool IsFinal => Status is ActivityStatus.Done or ActivityStatus.Cancelled;

    public static Activity Start(ActivityScheduled e) => new(e.ActivityId, e.PlanId, e.OutcomeId, e.Discipline, e.Spec, ActivityStatus.Planned, e.At);

    public static Activity Start(object first) => first is ActivityScheduled e ? Start(e) : throw new UnknownEventException(typeof(Activity), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public Activity Evolve(object e) => e switch
    {
        ActivityCarriedOver x => On(x),
        ActivityRescheduled x => On(x),
        ActivityRebudgeted x => On(x),
        ActivityStarted x => On(x),
        ActivityCompleted x => On(x),
        ActivityCancelled x => On(x),
        _ => throw new UnknownEventException(typeof(Activity), e),
    };

    /// <summary>The state after one more event of its stream, with the version that event gives it.</summary>
    public Activity After(object e)
    {
        var next = Evolve(e);
        next.Version = Version + 1;
        return next;
    }

    private Activity On(ActivityCarriedOver e) => this with { PlanId = e.PlanId, UpdatedAt = e.At };

    private Activity On(ActivityRescheduled e) => this with { Spec = Spec with { StartsOn = e.StartsOn, EndsOn = e.EndsOn }, UpdatedAt = e.At };

    private Activity On(ActivityRebudgeted e) => this with { Spec = Spec with { Budget = e.Budget }, UpdatedAt = e.At };

    private Activity On(ActivityStarted e) => this with { Status = ActivityStatus.InProgress, UpdatedAt = e.At };

    private Activity On(ActivityCompleted e) => this with { Status = ActivityStatus.Done, UpdatedAt = e.At };

    private Activity On(ActivityCancelled e) => this with { Status = ActivityStatus.Cancelled, ClosingReason = e.Reason, UpdatedAt = e.At };
}
