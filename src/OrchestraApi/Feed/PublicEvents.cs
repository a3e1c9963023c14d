using OrchestraApi.Baselines;
using OrchestraApi.Connections;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Results;
using OrchestraApi.Segments;

namespace OrchestraApi.Feed;

/// <summary>
/// What a consumer of the feed sees of an internal event: its public type (<c>orchestra.{resource}.{what}.v1</c>, stable
/// whatever the internal event is called), the kind of resource it changed and that resource's path (the CloudEvents
/// <c>subject</c>).
/// </summary>
public sealed record PublicChange(string Type, string Resource, string Subject);

/// <summary>
/// The catalogue of public event types: one line per internal event. An internal event that changes nothing a
/// consumer could read on its own (a stream opening, the plan's running totals that follow an activity's change) is
/// named in <see cref="Internal"/> and takes no position in the feed. A new internal event must be added to one or the
/// other (a test enumerates them), so none goes missing from the feed unnoticed.
/// </summary>
public static class PublicEvents
{
    /// <summary>Events with no public counterpart: they open a stream or repeat, on the plan, an activity's change.</summary>
    public static readonly IReadOnlySet<Type> Internal = new HashSet<Type>
    {
        typeof(ConnectionGraphOpened),
        typeof(ResultsOpened),
        typeof(ActivityAdded),
        typeof(ActivityBudgetChanged),
        typeof(ActivityClosed),
    };

    /// <summary>The public change an internal event makes, or null for an <see cref="Internal"/> one.</summary>
    public static PublicChange? Of(object e) => e switch
    {
        OutcomeDefined x => Outcome("defined", x.OutcomeId),
        OutcomeRevised x => Outcome("revised", x.OutcomeId),
        OutcomeActivated x => Outcome("activated", x.OutcomeId),
        OutcomeClosed x => Outcome("closed", x.OutcomeId),
        KpiAdded x => Kpi("added", x.OutcomeId, x.Kpi.Key),
        KpiRevised x => Kpi("revised", x.OutcomeId, x.Kpi.Key),
        KpiObserved x => new("orchestra.kpi_observation.recorded.v1", "kpi_observation", $"/outcomes/{x.OutcomeId}/kpis/{Uri.EscapeDataString(x.Key)}/observations/{x.ObservationId}"),

        PlanDrafted x => Plan("drafted", x.PlanId),
        PlanRevised x => Plan("revised", x.PlanId),
        PlanSubmitted x => Plan("submitted", x.PlanId),
        PlanApproved x => Plan("approved", x.PlanId),
        PlanReturned x => Plan("returned", x.PlanId),
        PlanExecutionStarted x => Plan("execution_started", x.PlanId),
        PlanCompleted x => Plan("completed", x.PlanId),
        PlanCancelled x => Plan("cancelled", x.PlanId),
        PilotPromoted x => Plan("promoted", x.PlanId),

        ActivityScheduled x => Activity("scheduled", x.PlanId, x.ActivityId),
        ActivityCarriedOver x => Activity("carried_over", x.PlanId, x.ActivityId),
        ActivityRescheduled x => Activity("rescheduled", x.PlanId, x.ActivityId),
        ActivityRebudgeted x => Activity("rebudgeted", x.PlanId, x.ActivityId),
        ActivityStarted x => Activity("started", x.PlanId, x.ActivityId),
        ActivityCompleted x => Activity("completed", x.PlanId, x.ActivityId),
        ActivityCancelled x => Activity("cancelled", x.PlanId, x.ActivityId),

        ConnectionDefined x => Connection("defined", x.OutcomeId, x.ConnectionId),
        ConnectionRevised x => Connection("revised", x.OutcomeId, x.ConnectionId),
        ConnectionAcknowledged x => Connection("acknowledged", x.OutcomeId, x.ConnectionId),
        ConnectionContested x => Connection("contested", x.OutcomeId, x.ConnectionId),
        ConnectionWithdrawn x => Connection("withdrawn", x.OutcomeId, x.ConnectionId),
        ConnectionMet x => Connection("met", x.OutcomeId, x.ConnectionId),
        ConnectionBroken x => Connection("broken", x.OutcomeId, x.ConnectionId),

        ResultsRecorded x => new("orchestra.results.recorded.v1", "results", $"/outcomes/{x.OutcomeId}/results?batchId={x.BatchId}"),
        BaselineSaved x => new("orchestra.baseline.saved.v1", "baseline", $"/outcomes/{x.OutcomeId}/baselines/{x.BaselineId}"),
        SegmentDefined x => Segment("defined", x.SegmentId),
        SegmentRevised x => Segment("revised", x.SegmentId),

        _ when Internal.Contains(e.GetType()) => null,
        _ => throw new InvalidOperationException($"{e.GetType().Name} is in neither the public catalogue nor PublicEvents.Internal: add it to one."),
    };

    private static PublicChange Outcome(string what, Guid outcomeId) => new($"orchestra.outcome.{what}.v1", "outcome", $"/outcomes/{outcomeId}");

    private static PublicChange Kpi(string what, Guid outcomeId, string key) => new($"orchestra.kpi.{what}.v1", "kpi", $"/outcomes/{outcomeId}/kpis/{Uri.EscapeDataString(key)}");

    private static PublicChange Plan(string what, Guid planId) => new($"orchestra.plan.{what}.v1", "plan", $"/plans/{planId}");

    private static PublicChange Activity(string what, Guid planId, Guid activityId) => new($"orchestra.activity.{what}.v1", "activity", $"/plans/{planId}/activities/{activityId}");

    private static PublicChange Connection(string what, Guid outcomeId, Guid connectionId) => new($"orchestra.connection.{what}.v1", "connection", $"/outcomes/{outcomeId}/connections/{connectionId}");

    private static PublicChange Segment(string what, Guid segmentId) => new($"orchestra.segment.{what}.v1", "segment", $"/segments/{segmentId}");
}
