using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Feed;
using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

/// <summary>Sends one delivery's event again (same body, same webhook-id), as a new delivery with its own attempts.</summary>
public sealed record ReplayWebhookDelivery(Guid EndpointId, Guid DeliveryId, [property: JsonIgnore] string? IdempotencyKey) : IIdempotentCommand<WebhookDeliveryDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ReplayWebhookDelivery, WebhookDeliveryDetails>
    {
        public async Task<WebhookDeliveryDetails> Handle(ReplayWebhookDelivery command, CancellationToken cancellationToken)
        {
            await session.WebhookEndpointAsync(command.EndpointId, cancellationToken);
            var original = await session.WebhookDeliveryAsync(command.EndpointId, command.DeliveryId, cancellationToken);
            var now = clock.GetUtcNow();
            var replay = original with { Id = Guid.CreateVersion7(now), Trigger = WebhookDeliveryTrigger.Replay, CreatedAt = now, State = nameof(WebhookDeliveryState.Pending), NextAttemptAt = now, Attempts = [] };
            session.Store(replay);
            FeedSignals.EnlistDeliveriesQueued(session);
            return WebhookDeliveryDetails.Of(replay);
        }
    }
}

/// <summary>Which events to send again: after a position, or since a moment (one of the two).</summary>
/// <param name="After">Every event after this position (the feed's `sequence`; an endpoint disabled by the API names it as `replayAfter`).</param>
/// <param name="Since">Every event committed at or after this moment (ISO 8601 with an offset).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReplayWebhookEventsRequest([property: Range(0, long.MaxValue)] long? After = null, DateTimeOffset? Since = null) : IHasExample<ReplayWebhookEventsRequest>
{
    public static ReplayWebhookEventsRequest Example => new(After: 41);
}

/// <summary>What a replay queued.</summary>
/// <param name="Queued">Deliveries queued: the events in the range the endpoint wants (its types and outcome).</param>
/// <param name="From">The first position looked at.</param>
/// <param name="Through">The last position looked at.</param>
/// <param name="Next">More events follow (a replay looks at 10,000 positions at most): replay again with this as `after`; null when the range reached the feed's head.</param>
public sealed record WebhookReplay(int Queued, long From, long Through, long? Next);

/// <summary>Queues the feed's events from a position (or a moment) to one endpoint: each delivered in order per outcome, with its own webhook-id as the first time.</summary>
public sealed record ReplayWebhookEvents(Guid EndpointId, ReplayWebhookEventsRequest Request) : ICommand<WebhookReplay>
{
    public const int MaxPositions = 10_000;

    public sealed class Handler(IDocumentSession session, TimeProvider clock, Microsoft.Extensions.Options.IOptions<FeedSettings> feed) : IRequestHandler<ReplayWebhookEvents, WebhookReplay>
    {
        public async Task<WebhookReplay> Handle(ReplayWebhookEvents command, CancellationToken cancellationToken)
        {
            var r = command.Request;
            if (r.After is null == r.Since is null)
            {
                const string EitherOr = "Give either after (a position) or since (a moment), not both nor neither.";
                throw new InvalidInputException(r.After is null
                    ? new Dictionary<string, string[]> { ["after"] = [EitherOr] }
                    : new Dictionary<string, string[]> { ["after"] = [EitherOr], ["since"] = [EitherOr] });
            }

            if (r.After is < 0)
            {
                throw new InvalidInputException("after", "must be 0 or more.");
            }

            var endpoint = await session.WebhookEndpointAsync(command.EndpointId, cancellationToken);
            var head = (await session.LoadAsync<FeedHead>(FeedHead.Key, cancellationToken))?.Position ?? 0;
            var oldest = await session.Query<FeedEntry>().OrderBy(e => e.Id).Select(e => e.Id).FirstOrDefaultAsync(cancellationToken);
            var after = r.After ?? (await session.Query<FeedEntry>().Where(e => e.Time >= r.Since!.Value).OrderBy(e => e.Id).Select(e => e.Id).FirstOrDefaultAsync(cancellationToken) is > 0 and var first ? first - 1 : head);
            if (after > head)
            {
                throw new InvalidInputException("after", $"is beyond the feed's last position, {head}.");
            }

            if (oldest > 0 && after < oldest - 1)
            {
                throw new GoneException(
                    $"Events up to position {oldest - 1} are older than the feed keeps ({feed.Value.RetentionDays} days); replay from after={oldest - 1}.",
                    new Dictionary<string, object?> { ["oldestPosition"] = oldest, ["after"] = oldest - 1 });
            }

            var through = Math.Min(head, after + MaxPositions);
            var entries = await session.Query<FeedEntry>().Where(e => e.Id > after && e.Id <= through).OrderBy(e => e.Id).ToListAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var queued = 0;
            foreach (var entry in entries.Where(e => endpoint.Wants(e.Type, e.OutcomeId)))
            {
                session.Store(WebhookDelivery.Of(endpoint.Id, entry, WebhookDeliveryTrigger.Replay, now));
                queued++;
            }

            FeedSignals.EnlistDeliveriesQueued(session);
            return new WebhookReplay(queued, after + 1, through, through < head ? through : null);
        }
    }
}

/// <summary>Sends a test event (`orchestra.webhook_endpoint.test.v1`, never on the feed) to an enabled endpoint, signed like every other.</summary>
public sealed record SendTestWebhook(Guid EndpointId, string By, [property: JsonIgnore] string? IdempotencyKey) : IIdempotentCommand<WebhookDeliveryDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<SendTestWebhook, WebhookDeliveryDetails>
    {
        public async Task<WebhookDeliveryDetails> Handle(SendTestWebhook command, CancellationToken cancellationToken)
        {
            var endpoint = await session.WebhookEndpointAsync(command.EndpointId, cancellationToken);
            if (!endpoint.Enabled)
            {
                throw new RuleViolationException("endpoint-disabled", "The endpoint is disabled: enable it first (its test would wait with its other deliveries).");
            }

            var now = clock.GetUtcNow();
            var data = JsonSerializer.SerializeToElement(new { @object = WebhookEndpointDetails.Of(endpoint, endpoint.Version), previous = (object?)null, by = command.By }, FeedPayloads.Json);
            var test = new CloudEvent(
                "1.0", Guid.CreateVersion7(now).ToString(), $"/organisations/{session.TenantId}", WebhookRules.TestType, $"/webhook-endpoints/{endpoint.Id}", now, "application/json",
                0L.ToString("D19", System.Globalization.CultureInfo.InvariantCulture), $"test:{endpoint.Id}", data);
            var delivery = WebhookDelivery.Of(endpoint.Id, test, WebhookDeliveryTrigger.Test, now);
            session.Store(delivery);
            FeedSignals.EnlistDeliveriesQueued(session);
            return WebhookDeliveryDetails.Of(delivery);
        }
    }
}
