using System.ComponentModel.DataAnnotations;

namespace OrchestraApi.Webhooks;

/// <summary>Where a delivery stands.</summary>
public enum WebhookDeliveryState
{
    /// <summary>Not delivered yet: waiting for its next attempt (or for an earlier event of its outcome, or for its endpoint to be enabled).</summary>
    Pending,

    /// <summary>The endpoint answered 2xx.</summary>
    Delivered,

    /// <summary>Every attempt of the retry schedule failed; replay it to try again.</summary>
    Failed,
}

/// <summary>Why a delivery was made.</summary>
public enum WebhookDeliveryTrigger
{
    /// <summary>An event of the feed the endpoint wants.</summary>
    Event,

    /// <summary>A replay asked for by an admin (same event, same webhook-id).</summary>
    Replay,

    /// <summary>A test send (`orchestra.webhook_endpoint.test.v1`, never on the feed).</summary>
    Test,
}

/// <summary>One attempt to deliver.</summary>
/// <param name="At">When it started (UTC).</param>
/// <param name="Status">The HTTP status the endpoint answered; null when there was no answer (see `error`).</param>
/// <param name="DurationMs">How long it took, in milliseconds.</param>
/// <param name="Response">The first 4 KB of the endpoint's answer (UTF-8, control characters replaced); null without one.</param>
/// <param name="Error">What went wrong without an answer (timeout, refused connection, refused destination) or with a failing one; null on success.</param>
/// <param name="BatchId">On an endpoint that takes batches (`maxBatch` above 1): the `webhook-id` of the request this attempt was part of, made from its events' ids (the same events, the same id); null otherwise.</param>
/// <param name="BatchSize">The number of events in that request; null without a batch.</param>
public sealed record WebhookAttempt(
    DateTimeOffset At, int? Status, int DurationMs, [property: MaxLength(WebhookDelivery.MaxResponse)] string? Response, [property: MaxLength(500)] string? Error,
    Guid? BatchId = null, [property: Range(1, WebhookRules.MaxBatch)] int? BatchSize = null);

/// <summary>
/// One event to deliver to one endpoint, with its attempts (a document of the organisation). Deliveries of one outcome
/// (<see cref="Partition"/>) to one endpoint go out in position order: one waits while an earlier one is pending. The
/// body is the feed entry's CloudEvent at <see cref="Position"/>, read when it is sent (the entry never changes); only a
/// test send, which is not on the feed, carries its own <see cref="Body"/>.
/// </summary>
public sealed record WebhookDelivery(
    Guid Id, Guid EndpointId, Guid MessageId, long Position, string Type, string Partition, string? Body, WebhookDeliveryTrigger Trigger, DateTimeOffset CreatedAt)
{
    public const int MaxResponse = 4096;

    /// <summary>Pending, Delivered or Failed (stored by name: the dispatcher's query reads it).</summary>
    public string State { get; init; } = nameof(WebhookDeliveryState.Pending);

    /// <summary>When it is next tried (meaningful while pending).</summary>
    public DateTimeOffset NextAttemptAt { get; init; } = CreatedAt;

    public IReadOnlyList<WebhookAttempt> Attempts { get; init; } = [];

    /// <summary>A delivery of a feed entry's event (its CloudEvent is the body; the event's id is the webhook-id).</summary>
    public static WebhookDelivery Of(Guid endpointId, Feed.FeedEntry e, WebhookDeliveryTrigger trigger, DateTimeOffset now) => new(
        Guid.CreateVersion7(now), endpointId, e.EventId, e.Id, e.Type, (e.OutcomeId ?? e.StreamId).ToString(), null, trigger, now);

    /// <summary>A delivery of an event that is not on the feed (a test send), with its body.</summary>
    public static WebhookDelivery Of(Guid endpointId, Feed.CloudEvent e, WebhookDeliveryTrigger trigger, DateTimeOffset now) => new(
        Guid.CreateVersion7(now), endpointId, Guid.Parse(e.Id), 0, e.Type, e.PartitionKey, System.Text.Json.JsonSerializer.Serialize(e, Feed.FeedPayloads.Json), trigger, now);
}

/// <summary>A delivery of an event to an endpoint, with every attempt.</summary>
/// <param name="EndpointId">The endpoint it goes to.</param>
/// <param name="CreatedAt">When it was queued (UTC).</param>
/// <param name="WebhookId">The `webhook-id` header: the event's id, the same on every attempt and replay (dedupe by it).</param>
/// <param name="Position">The event's position in the feed (0 for a test send).</param>
/// <param name="Type">The event's type.</param>
/// <param name="State">Pending, Delivered or Failed.</param>
/// <param name="Trigger">Event, Replay or Test.</param>
/// <param name="Attempts">Every attempt, oldest first (at most 10: the first and the retry schedule's).</param>
/// <param name="NextAttemptAt">When it is tried next; null once delivered or failed.</param>
public sealed record WebhookDeliveryDetails(
    Guid Id, Guid EndpointId, Guid WebhookId, long Position, [property: MaxLength(100)] string Type, WebhookDeliveryState State, WebhookDeliveryTrigger Trigger,
    [property: MaxLength(20)] IReadOnlyList<WebhookAttempt> Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt)
{
    public static WebhookDeliveryDetails Of(WebhookDelivery d)
    {
        var state = Enum.Parse<WebhookDeliveryState>(d.State);
        return new(d.Id, d.EndpointId, d.MessageId, d.Position, d.Type, state, d.Trigger, d.Attempts, state == WebhookDeliveryState.Pending ? d.NextAttemptAt : null, d.CreatedAt);
    }
}
