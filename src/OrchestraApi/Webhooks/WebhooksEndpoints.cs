using System.ComponentModel;
using System.Security.Claims;
using JasperFx.Events.Projections;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

public static class WebhooksEndpoints
{
    private const string Schedule = "Retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h (each ±10 % jitter; the last ~75 h after the first attempt), or after the Retry-After of a 429 or 503 (at most a day)";

    public static void AddWebhooks(this StoreOptions marten)
    {
        marten.Projections.Add(new FoldProjection<WebhookEndpoint>(), ProjectionLifecycle.Inline);
        marten.Schema.For<WebhookSecrets>();
        marten.Schema.For<WebhookEndpointHealth>();
        // The dispatcher's query reads pending deliveries by when they are due; the deliveries list reads by endpoint.
        marten.Schema.For<WebhookDelivery>()
            .Duplicate(d => d.EndpointId).Duplicate(d => d.State)
            .Duplicate(d => d.Partition, configure: i => i.Predicate = "state = 'Pending'")
            .Duplicate(d => d.Position, configure: i => i.Predicate = "state = 'Pending'")
            .Duplicate(d => d.NextAttemptAt, configure: i => i.Predicate = "state = 'Pending'");
    }

    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookSettings>().BindConfiguration(WebhookSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IWebhookResolver, DnsWebhookResolver>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookDispatcher>();
        if (!Database.IsGeneratingOpenApiDocument)
        {
            services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());
        }

        return services;
    }

    public static void MapWebhooks(this IEndpointRouteBuilder app)
    {
        var endpoints = app.MapGroup("/webhook-endpoints").WithTags("Webhooks").RequireAuthorization(Policies.ManageWebhooks).Problems(400, 401, 403, 429, 503);

        endpoints.MapPost("/", Register).Problems(404, 409, 422)
            .Describe(nameof(RegisterWebhookEndpoint), "Register a webhook endpoint", $"""
                An https URL that receives the organisation's events (all, or the `types` listed, optionally of one outcome) as POSTs of the CloudEvent JSON — the items of List the organisation's events — signed per Standard Webhooks: `webhook-id` (the event's id, the same on every retry and replay: dedupe by it), `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the secret's bytes after `whsec_`; during a rotation two, space-separated). The answer holds the `secret`, shown this once. Delivery is at least once and in order per outcome: an event waits while an earlier event of its outcome is failing at this endpoint, while other outcomes' events flow. A 2xx within 15 s is success; 3xx is a failure (redirects are not followed); 410 disables the endpoint. {Schedule}; then the delivery is Failed (replay it). An endpoint failing continuously for 5 days is disabled, with an `orchestra.webhook_endpoint.disabled.v1` event on the feed. The URL may not resolve to a loopback, private, link-local or metadata address (checked now and at every delivery). At most 20 endpoints per organisation. Admins; accepts Idempotency-Key.
                """);
        endpoints.MapGet("/", List)
            .Describe(nameof(ListWebhookEndpoints), "List webhook endpoints", "The organisation's endpoints, oldest first, without their secrets; filter by `enabled`; cursor-paginated.");
        endpoints.MapGet("/{endpointId:guid}", Get).Problems(404).Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(GetWebhookEndpoint), "Get a webhook endpoint", "An endpoint without its secret; the ETag (and `version`) is what If-Match needs to change it. When the API disabled it, `replayAfter` is where to replay from once it is enabled again.");
        endpoints.MapPatch("/{endpointId:guid}", Revise).Problems(404, 412, 428)
            .Describe(nameof(ReviseWebhookEndpoint), "Revise a webhook endpoint", "A new URL (checked as at registration), types, outcome or description, or `enabled`: false disables it (pending deliveries wait), true enables it again (they resume; events of the disabled time were not queued: replay them from `replayAfter` with Replay events to a webhook endpoint). Omitted fields stay. The history keeps every change.");
        endpoints.MapGet("/{endpointId:guid}/history", History).Problems(404)
            .Describe(nameof(GetWebhookEndpointHistory), "Get a webhook endpoint's history", "The endpoint after each change, oldest first, with who made it (OrchestraApi when the API disabled it); cursor-paginated.");
        endpoints.MapPost("/{endpointId:guid}/rotate-secret", Rotate).Problems(404, 412, 428)
            .Describe(nameof(RotateWebhookSecret), "Rotate a webhook endpoint's secret", "A new secret (in the answer, shown this once) signs from now on; the previous one signs beside it for `overlapHours` (default 24, at most 168 = 7 days), so every message carries both signatures until then and receivers can switch without losing one. Revoke the previous secret sooner with Revoke the previous webhook secret.");
        endpoints.MapPost("/{endpointId:guid}/revoke-previous-secret", Revoke).Problems(404, 409, 412, 428)
            .Describe(nameof(RevokePreviousWebhookSecret), "Revoke the previous webhook secret", "The previous secret stops signing now, before its overlap ends (409 when there is none).");
        endpoints.MapGet("/{endpointId:guid}/deliveries", Deliveries).Problems(404)
            .Describe(nameof(ListWebhookDeliveries), "List a webhook endpoint's deliveries", "Every event queued for the endpoint, oldest first, each with every attempt: when, the HTTP status, how long it took, the first 4 KB of the answer and the error — and when it is tried next. Filter by `state` (Pending, Delivered, Failed) and event `type`; cursor-paginated.");
        endpoints.MapGet("/{endpointId:guid}/deliveries/{deliveryId:guid}", Delivery).Problems(404)
            .Describe(nameof(GetWebhookDelivery), "Get a webhook delivery", "One delivery with every attempt.");
        endpoints.MapPost("/{endpointId:guid}/deliveries/{deliveryId:guid}/replay", ReplayOne).Problems(404, 422)
            .Describe(nameof(ReplayWebhookDelivery), "Replay a webhook delivery", "Sends the delivery's event again (same body, same `webhook-id`) as a new delivery with its own attempts, in order with the endpoint's other deliveries of the outcome. Accepts Idempotency-Key.");
        endpoints.MapPost("/{endpointId:guid}/replay", Replay).Problems(404, 410, 422)
            .Describe(nameof(ReplayWebhookEvents), "Replay events to a webhook endpoint", "Queues every event of the feed after a position (`after`) or since a moment (`since`) that the endpoint wants, at most 10,000 positions a call (go on with `next`): each is delivered again with the webhook-id it always had, in order per outcome. A position older than the feed keeps is a 410. Accepts Idempotency-Key.");
        endpoints.MapPost("/{endpointId:guid}/test", Test).Problems(404, 409, 422)
            .Describe(nameof(SendTestWebhook), "Send a test webhook", "Queues an `orchestra.webhook_endpoint.test.v1` event (never on the feed; its data is the endpoint) to an enabled endpoint, signed like any other; follow it in the deliveries. Accepts Idempotency-Key.");
    }

    private static async Task<Created<WebhookEndpointDetails>> Register(
        RegisterWebhookEndpointRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct)
    {
        var endpoint = await mediator.Send(new RegisterWebhookEndpoint(request, Caller.From(user).Name, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/webhook-endpoints/{endpoint.Id}", endpoint.WithETag(http));
    }

    private static Task<Page<WebhookEndpointDetails>> List(
        [AsParameters] PageRequest page, [FromQuery, Description("Only enabled (true) or disabled (false) endpoints.")] bool? enabled, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListWebhookEndpoints(page, enabled), ct);

    private static Task<Results<Ok<WebhookEndpointDetails>, StatusCodeHttpResult>> Get([Description("The endpoint's id.")] Guid endpointId, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.ReadVersionedAsync(new GetWebhookEndpoint(endpointId), http, ct);

    private static Task<Ok<WebhookEndpointDetails>> Revise(
        [Description("The endpoint's id.")] Guid endpointId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, ReviseWebhookEndpointRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ReviseWebhookEndpoint(endpointId, Versions.Expected(ifMatch), request, Caller.From(user).Name), http, ct);

    private static Task<Page<WebhookEndpointChange>> History([Description("The endpoint's id.")] Guid endpointId, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetWebhookEndpointHistory(endpointId, page), ct);

    private static Task<Ok<WebhookEndpointDetails>> Rotate(
        [Description("The endpoint's id.")] Guid endpointId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, RotateWebhookSecretRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new RotateWebhookSecret(endpointId, Versions.Expected(ifMatch), request, Caller.From(user).Name), http, ct);

    private static Task<Ok<WebhookEndpointDetails>> Revoke(
        [Description("The endpoint's id.")] Guid endpointId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new RevokePreviousWebhookSecret(endpointId, Versions.Expected(ifMatch), Caller.From(user).Name), http, ct);

    private static Task<Page<WebhookDeliveryDetails>> Deliveries(
        [Description("The endpoint's id.")] Guid endpointId, [AsParameters] DeliveryFilter filter, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListWebhookDeliveries(endpointId, filter, page), ct);

    private static Task<WebhookDeliveryDetails> Delivery([Description("The endpoint's id.")] Guid endpointId, [Description("The delivery's id.")] Guid deliveryId, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetWebhookDelivery(endpointId, deliveryId), ct);

    private static async Task<Created<WebhookDeliveryDetails>> ReplayOne(
        [Description("The endpoint's id.")] Guid endpointId, [Description("The delivery's id.")] Guid deliveryId, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, IMediator mediator, CancellationToken ct)
    {
        var replay = await mediator.Send(new ReplayWebhookDelivery(endpointId, deliveryId, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/webhook-endpoints/{endpointId}/deliveries/{replay.Id}", replay);
    }

    private static Task<WebhookReplay> Replay([Description("The endpoint's id.")] Guid endpointId, ReplayWebhookEventsRequest request, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ReplayWebhookEvents(endpointId, request), ct);

    private static async Task<Created<WebhookDeliveryDetails>> Test(
        [Description("The endpoint's id.")] Guid endpointId, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var test = await mediator.Send(new SendTestWebhook(endpointId, Caller.From(user).Name, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/webhook-endpoints/{endpointId}/deliveries/{test.Id}", test);
    }
}
