using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using Microsoft.Extensions.Options;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

/// <summary>Where to send the organisation's events, and which.</summary>
/// <param name="Url">An https URL (http only where the API's configuration allows it, e.g. loopback in development). No user name or password, no fragment; it must not resolve to a loopback, private, link-local or metadata address.</param>
/// <param name="Types">Only these event types (the event catalogue, `GET /event-types`), up to 50; omitted or empty: every type, including those added later.</param>
/// <param name="OutcomeId">Only this outcome's events; omitted: the whole organisation's.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Enabled">Whether it starts receiving events at once; omitted: true.</param>
/// <param name="MaxBatch">Events of one outcome sent together, at most, when several are waiting: 1 (the default) sends each event alone as a CloudEvent; 2–100 sends a CloudEvents batch (`application/cloudevents-batch+json`, a JSON array in position order, at most 256 KB unless one event is larger) — for an endpoint that receives busy outcomes, whose events go one request after another. Each event of a batch keeps its id: dedupe by it.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RegisterWebhookEndpointRequest(
    [property: Required, StringLength(WebhookDestinations.MaxUrlLength, MinimumLength = 1)] string Url,
    [property: MaxLength(WebhookRules.MaxTypes), ItemsLength(100)] IReadOnlyList<string>? Types = null,
    Guid? OutcomeId = null,
    [property: StringLength(WebhookRules.MaxDescription)] string? Description = null,
    bool? Enabled = null,
    [property: Range(1, WebhookRules.MaxBatch)] int? MaxBatch = null)
    : IHasExample<RegisterWebhookEndpointRequest>
{
    public static RegisterWebhookEndpointRequest Example => new(
        "https://crm.example.com/hooks/orchestra", ["orchestra.activity.rescheduled.v1", "orchestra.results.recorded.v1"], null, "Our CRM's scheduler");
}

public sealed record RegisterWebhookEndpoint(RegisterWebhookEndpointRequest Request, string By, [property: JsonIgnore] string? IdempotencyKey) : IIdempotentCommand<WebhookEndpointDetails>, ICommitsAlone
{
    public sealed class Handler(IDocumentSession session, IOptions<WebhookSettings> settings, IWebhookResolver resolver, TimeProvider clock)
        : IRequestHandler<RegisterWebhookEndpoint, WebhookEndpointDetails>
    {
        public async Task<WebhookEndpointDetails> Handle(RegisterWebhookEndpoint command, CancellationToken cancellationToken)
        {
            var r = command.Request;
            var types = WebhookRules.Types(r.Types);
            if (r.OutcomeId is { } outcomeId)
            {
                await session.OutcomeAsync(outcomeId, cancellationToken);
            }

            var url = await WebhookDestinations.CheckAsync(r.Url.Trim(), settings.Value, resolver, "url", cancellationToken);
            if (await session.Query<WebhookEndpoint>().CountAsync(cancellationToken) >= WebhookRules.MaxEndpoints)
            {
                throw new RuleViolationException("webhook-endpoint-limit", $"An organisation has at most {WebhookRules.MaxEndpoints} webhook endpoints: disable and reuse one, or filter one endpoint's types.");
            }

            var registered = new WebhookEndpointRegistered(Guid.CreateVersion7(), url, types, r.OutcomeId, r.Description?.Trim(), r.Enabled ?? true, command.By, clock.GetUtcNow(), r.MaxBatch);
            var secret = WebhookSecrets.NewSecret();
            session.Events.StartStream<WebhookEndpoint>(registered.EndpointId, registered);
            session.Store(new WebhookSecrets(registered.EndpointId, secret, null, null));
            return WebhookEndpointDetails.Of(WebhookEndpoint.Start(registered), 1, secret);
        }
    }
}
