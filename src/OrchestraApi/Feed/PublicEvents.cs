using OrchestraApi.Baselines;
using OrchestraApi.Connections;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Results;
using OrchestraApi.Segments;
using OrchestraApi.Status;
using OrchestraApi.Tasks;
using OrchestraApi.Triggers;
using OrchestraApi.Webhooks;

namespace OrchestraApi.Feed;

/// <summary>
/// What a consumer of the feed sees of an internal event: its public type (<c>orchestra.{resource}.{what}.v1</c>, stable
/// whatever the internal event is called), the kind of resource it changed and that resource's path (the CloudEvents
/// <c>subject</c>).
/// </summary>
public sealed record PublicChange(string Type, string Resource, string Subject);

/// <summary>One public event type of the catalogue: what it means and the schema of its <c>data</c>.</summary>
/// <param name="Type">The CloudEvents `type`, e.g. `orchestra.activity.rescheduled.v1`.</param>
/// <param name="Resource">The kind of resource it changes (the feed's `resource` filter).</param>
/// <param name="Description">What happened, in a sentence.</param>
/// <param name="DataSchema">The name of its `data` schema in this API's OpenAPI document (components/schemas).</param>
public sealed record EventTypeInfo(
    [property: System.ComponentModel.DataAnnotations.MaxLength(100)] string Type,
    [property: System.ComponentModel.DataAnnotations.MaxLength(50)] string Resource,
    [property: System.ComponentModel.DataAnnotations.MaxLength(500)] string Description,
    [property: System.ComponentModel.DataAnnotations.MaxLength(100)] string DataSchema);

/// <summary>
/// The catalogue of public event types: one line per internal event. An internal event that changes nothing a
/// consumer could read on its own (a stream opening, the plan's running totals that follow an activity's change) is
/// named in <see cref="Internal"/> and takes no position in the feed. A new internal event must be added to one or the
/// other (a test enumerates them), so none goes missing from the feed unnoticed.
/// </summary>
public static class PublicEvents
{
    /// <summary>Events with no public counterpart: they open a stream or repeat, on the plan, an activity's change; and Marten's tombstones, which fill the sequence numbers a failed transaction took.</summary>
    public static readonly IReadOnlySet<Type> Internal = new HashSet<Type>
    {
        typeof(ConnectionGraphOpened),
        typeof(ResultsOpened),
        typeof(ActivityAdded),
        typeof(ActivityBudgetChanged),
        typeof(ActivityClosed),
        typeof(JasperFx.Events.Tombstone),
    };

    /// <summary>Each kind of resource and the type its payload's <c>object</c> is (what its GET answers).</summary>
    public static readonly IReadOnlyDictionary<string, Type> Resources = new Dictionary<string, Type>
    {
        ["outcome"] = typeof(OutcomeDetails),
        ["kpi"] = typeof(Kpi),
        ["kpi_observation"] = typeof(KpiObservation),
        ["plan"] = typeof(PlanSummary),
        ["activity"] = typeof(ActivityDetails),
        ["connection"] = typeof(ConnectionDetails),
        ["results"] = typeof(ResultsBatch),
        ["baseline"] = typeof(BaselineDetails),
        ["segment"] = typeof(SegmentDetails),
        ["webhook_endpoint"] = typeof(WebhookEndpointDetails),
        ["trigger"] = typeof(TriggerDetails),
        ["task"] = typeof(TaskDetails),
        ["status_policy"] = typeof(StatusPolicyDetails),
    };

    private static readonly Entry[] Entries =
    [
        Outcome<OutcomeDefined>("defined", "An outcome was defined.", x => x.OutcomeId),
        Outcome<OutcomeRevised>("revised", "An outcome's title, description, window or budget was revised.", x => x.OutcomeId),
        Outcome<OutcomeActivated>("activated", "An outcome was activated: its plans may start.", x => x.OutcomeId),
        Outcome<OutcomeClosed>("closed", "An outcome was closed or cancelled.", x => x.OutcomeId),
        Kpi<KpiAdded>("added", "A KPI was added to an outcome.", x => (x.OutcomeId, x.Kpi.Key)),
        Kpi<KpiRevised>("revised", "An outcome's KPI was revised.", x => (x.OutcomeId, x.Kpi.Key)),
        new(typeof(KpiObserved), "orchestra.kpi_observation.recorded.v1", "kpi_observation", "A value of a KPI was observed.",
            e => e is KpiObserved x ? $"/outcomes/{x.OutcomeId}/kpis/{Uri.EscapeDataString(x.Key)}/observations/{x.ObservationId}" : null),

        Plan<PlanDrafted>("drafted", "A plan or pilot was drafted for a discipline.", x => x.PlanId),
        Plan<PlanRevised>("revised", "A plan's title, objective, orchestrator or budget was revised.", x => x.PlanId),
        Plan<PlanSubmitted>("submitted", "A plan was submitted for the conductor's approval.", x => x.PlanId),
        Plan<PlanApproved>("approved", "A plan was approved by the conductor.", x => x.PlanId),
        Plan<PlanReturned>("returned", "A plan was returned to its orchestrator with comments.", x => x.PlanId),
        Plan<PlanExecutionStarted>("execution_started", "A plan's first activity started.", x => x.PlanId),
        Plan<PlanCompleted>("completed", "Every activity of a plan is done or cancelled.", x => x.PlanId),
        Plan<PlanCancelled>("cancelled", "A plan was cancelled.", x => x.PlanId),
        Plan<PilotPromoted>("promoted", "A pilot was promoted: its activities went into its discipline's plan.", x => x.PlanId),

        Activity<ActivityScheduled>("scheduled", "An activity was scheduled in a plan.", x => (x.PlanId, x.ActivityId)),
        Activity<ActivityCarriedOver>("carried_over", "An activity of a promoted pilot was carried over into the plan.", x => (x.PlanId, x.ActivityId)),
        Activity<ActivityRescheduled>("rescheduled", "An activity's dates or details changed.", x => (x.PlanId, x.ActivityId)),
        Activity<ActivityRebudgeted>("rebudgeted", "An activity's budget changed.", x => (x.PlanId, x.ActivityId)),
        Activity<ActivityStarted>("started", "An activity started.", x => (x.PlanId, x.ActivityId)),
        Activity<ActivityCompleted>("completed", "An activity was completed.", x => (x.PlanId, x.ActivityId)),
        Activity<ActivityCancelled>("cancelled", "An activity was cancelled.", x => (x.PlanId, x.ActivityId)),

        Connection<ConnectionDefined>("defined", "A connection between two disciplines was defined.", x => (x.OutcomeId, x.ConnectionId)),
        Connection<ConnectionRevised>("revised", "A connection was revised.", x => (x.OutcomeId, x.ConnectionId)),
        Connection<ConnectionAcknowledged>("acknowledged", "A side acknowledged a connection.", x => (x.OutcomeId, x.ConnectionId)),
        Connection<ConnectionContested>("contested", "A side contested a connection.", x => (x.OutcomeId, x.ConnectionId)),
        Connection<ConnectionWithdrawn>("withdrawn", "A connection was withdrawn.", x => (x.OutcomeId, x.ConnectionId)),
        Connection<ConnectionMet>("met", "A connection was marked met.", x => (x.OutcomeId, x.ConnectionId)),
        Connection<ConnectionBroken>("broken", "A connection was marked broken.", x => (x.OutcomeId, x.ConnectionId)),

        new(typeof(ResultsRecorded), "orchestra.results.recorded.v1", "results", "A batch of result rows was recorded for an outcome's activities.",
            e => e is ResultsRecorded x ? $"/outcomes/{x.OutcomeId}/results?batchId={x.BatchId}" : null),
        new(typeof(BaselineSaved), "orchestra.baseline.saved.v1", "baseline", "A baseline of an outcome was saved.",
            e => e is BaselineSaved x ? $"/outcomes/{x.OutcomeId}/baselines/{x.BaselineId}" : null),
        Segment<SegmentDefined>("defined", "A customer segment was defined.", x => x.SegmentId),
        Segment<SegmentRevised>("revised", "A customer segment's figures were revised.", x => x.SegmentId),

        // The organisation's settings: read by admins and CMOs only.
        Endpoint<WebhookEndpointRegistered>("registered", "A webhook endpoint was registered.", x => x.EndpointId),
        Endpoint<WebhookEndpointRevised>("revised", "A webhook endpoint's URL, types, outcome or description changed.", x => x.EndpointId),
        Endpoint<WebhookEndpointEnabled>("enabled", "A webhook endpoint was enabled again.", x => x.EndpointId),
        Endpoint<WebhookEndpointDisabled>("disabled", "A webhook endpoint was disabled: by an admin, or by the API after a 410 Gone or 5 days of failures (the reason says which).", x => x.EndpointId),
        Endpoint<WebhookSecretRotated>("secret_rotated", "A webhook endpoint's signing secret was rotated.", x => x.EndpointId),
        Endpoint<WebhookPreviousSecretRevoked>("previous_secret_revoked", "A webhook endpoint's previous secret stopped signing early.", x => x.EndpointId),

        // Triggers (read by admins, CMOs and conductors) and their firings (of the outcome; a subject's disciplines).
        Of<TriggerDefined>("orchestra.trigger.defined.v1", "trigger", "A trigger was defined.", x => $"/triggers/{x.TriggerId}"),
        Of<TriggerRevised>("orchestra.trigger.revised.v1", "trigger", "A trigger's definition changed (or it was enabled or disabled).", x => $"/triggers/{x.TriggerId}"),
        Of<TriggerFired>("orchestra.trigger.fired.v1", "trigger", "A trigger's condition became true for a subject: the firing, with its evidence (its data's object is the firing).", x => $"/triggers/{x.TriggerId}/firings/{x.FiringId}") with { Object = typeof(TriggerFiringDetails) },
        Of<TriggerCleared>("orchestra.trigger.cleared.v1", "trigger", "A firing's condition no longer holds (or its trigger was revised): the trigger may fire for that subject again (its data's object is the firing).", x => $"/triggers/{x.TriggerId}/firings/{x.FiringId}") with { Object = typeof(TriggerFiringDetails) },
        Of<TaskOpened>("orchestra.task.opened.v1", "task", "A trigger's firing opened a task for a role or discipline.", x => $"/tasks/{x.TaskId}"),
        Of<TaskCompleted>("orchestra.task.completed.v1", "task", "A task was done.", x => $"/tasks/{x.TaskId}"),
        Of<TaskDismissed>("orchestra.task.dismissed.v1", "task", "A task was dismissed: no action needed.", x => $"/tasks/{x.TaskId}"),
        Of<TriggerFlagDismissed>("orchestra.trigger.flag_dismissed.v1", "trigger", "Someone took a firing's flag off its outcome's status (its data's object is the firing).", x => $"/triggers/{x.TriggerId}/firings/{x.FiringId}") with { Object = typeof(TriggerFiringDetails) },
        // The organisation's status policy: everyone's to read, as the status it shapes.
        Of<StatusPolicyRevised>("orchestra.status_policy.revised.v1", "status_policy", "The organisation's status thresholds changed: every outcome's status follows at once.", _ => "/status-policy"),
    ];

    private static readonly Dictionary<Type, Entry> ByEvent = Entries.ToDictionary(e => e.Event);

    /// <summary>Every public event type, in the catalogue's order.</summary>
    public static readonly IReadOnlyList<EventTypeInfo> Catalogue =
        [.. Entries.Select(e => new EventTypeInfo(e.Type, e.Resource, e.Description, SchemaOf(e.Object ?? Resources[e.Resource])))];

    /// <summary>Every type a payload's <c>object</c> may be: each resource's, and those of events whose object is another (a trigger's firings).</summary>
    public static readonly IReadOnlyList<Type> Objects = [.. Resources.Values.Concat(Entries.Select(e => e.Object).OfType<Type>()).Distinct()];

    /// <summary>Every public type, for checking a filter.</summary>
    public static readonly IReadOnlySet<string> Types = Entries.Select(e => e.Type).ToHashSet(StringComparer.Ordinal);

    /// <summary>The public change an internal event makes, or null for an <see cref="Internal"/> one.</summary>
    public static PublicChange? Of(object e)
    {
        if (ByEvent.TryGetValue(e.GetType(), out var entry))
        {
            return new PublicChange(entry.Type, entry.Resource, entry.Subject(e)!);
        }

        return Internal.Contains(e.GetType())
            ? null
            : throw new InvalidOperationException($"{e.GetType().Name} is in neither the public catalogue nor PublicEvents.Internal: add it to one.");
    }

    /// <summary>The OpenAPI schema name of a payload whose object is <paramref name="objectType"/>: <c>EventDataOf{ObjectType}</c>.</summary>
    public static string SchemaOf(Type objectType) => $"EventDataOf{objectType.Name}";

    private static Entry Outcome<T>(string what, string description, Func<T, Guid> outcome) =>
        Of<T>($"orchestra.outcome.{what}.v1", "outcome", description, x => $"/outcomes/{outcome(x)}");

    private static Entry Kpi<T>(string what, string description, Func<T, (Guid Outcome, string Key)> kpi) =>
        Of<T>($"orchestra.kpi.{what}.v1", "kpi", description, x => $"/outcomes/{kpi(x).Outcome}/kpis/{Uri.EscapeDataString(kpi(x).Key)}");

    private static Entry Plan<T>(string what, string description, Func<T, Guid> plan) =>
        Of<T>($"orchestra.plan.{what}.v1", "plan", description, x => $"/plans/{plan(x)}");

    private static Entry Activity<T>(string what, string description, Func<T, (Guid Plan, Guid Activity)> activity) =>
        Of<T>($"orchestra.activity.{what}.v1", "activity", description, x => $"/plans/{activity(x).Plan}/activities/{activity(x).Activity}");

    private static Entry Connection<T>(string what, string description, Func<T, (Guid Outcome, Guid Connection)> connection) =>
        Of<T>($"orchestra.connection.{what}.v1", "connection", description, x => $"/outcomes/{connection(x).Outcome}/connections/{connection(x).Connection}");

    private static Entry Segment<T>(string what, string description, Func<T, Guid> segment) =>
        Of<T>($"orchestra.segment.{what}.v1", "segment", description, x => $"/segments/{segment(x)}");

    private static Entry Endpoint<T>(string what, string description, Func<T, Guid> endpoint) =>
        Of<T>($"orchestra.webhook_endpoint.{what}.v1", "webhook_endpoint", description, x => $"/webhook-endpoints/{endpoint(x)}");

    private static Entry Of<T>(string type, string resource, string description, Func<T, string> subject) =>
        new(typeof(T), type, resource, description, e => e is T x ? subject(x) : null);

    private sealed record Entry(Type Event, string Type, string Resource, string Description, Func<object, string?> Subject)
    {
        /// <summary>The payload's object when it is not the resource's (<see cref="Resources"/>).</summary>
        public Type? Object { get; init; }
    }
}
