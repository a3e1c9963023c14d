using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using Microsoft.Extensions.Options;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

/// <summary>New settings for an endpoint; omitted ones stay.</summary>
/// <param name="Url">A new URL, checked as at registration.</param>
/// <param name="Types">The event types it receives from now on; empty: every type.</param>
/// <param name="OutcomeId">Only this outcome's events from now on; the empty id (`00000000-0000-0000-0000-000000000000`): the whole organisation's again.</param>
/// <param name="Description">What it is for.</param>
/// <param name="MaxBatch">A new batch size (from the next request on): 1 sends each event alone as a CloudEvent; 2–100 sends a CloudEvents batch (`application/cloudevents-batch+json`, a JSON array in position order, at most 256 KB unless one event is larger) — for an endpoint that receives busy outcomes, whose events go one request after another. Each event of a batch keeps its id: dedupe by it.</param>
/// <param name="Enabled">false disables it (its pending deliveries wait); true enables it again (they resume: replay what it missed meanwhile from `replayAfter`).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviseWebhookEndpointRequest(
    [property: StringLength(WebhookDestinations.MaxUrlLength, MinimumLength = 1)] string? Url = null,
    [property: MaxLength(WebhookRules.MaxTypes), ItemsLength(100)] IReadOnlyList<string>? Types = null,
    Guid? OutcomeId = null,
    [property: StringLength(WebhookRules.MaxDescription)] string? Description = null,
    bool? Enabled = null,
    [property: Range(1, WebhookRules.MaxBatch)] int? MaxBatch = null)
    : IHasExample<ReviseWebhookEndpointRequest>
{
    public static ReviseWebhookEndpointRequest Example => new(Enabled: true);
}

public sealed record ReviseWebhookEndpoint(Guid EndpointId, long ExpectedVersion, ReviseWebhookEndpointRequest Request, string By) : ICommand<WebhookEndpointDetails>, ICommitsAlone
{
    public sealed class Handler(IDocumentSession session, IOptions<WebhookSettings> settings, IWebhookResolver resolver, TimeProvider clock)
        : IRequestHandler<ReviseWebhookEndpoint, WebhookEndpointDetails>
    {
        public async Task<WebhookEndpointDetails> Handle(ReviseWebhookEndpoint command, CancellationToken cancellationToken)
        {
            var (endpoint, version) = await session.DecideAsync<WebhookEndpoint>(command.EndpointId, command.ExpectedVersion, e => DecideAsync(e, command, cancellationToken), (e, x) => e.Evolve(x), cancellationToken);
            return WebhookEndpointDetails.Of(endpoint, version);
        }

        private async Task<IReadOnlyList<object>> DecideAsync(WebhookEndpoint e, ReviseWebhookEndpoint command, CancellationToken ct)
        {
            var r = command.Request;
            var now = clock.GetUtcNow();
            var types = r.Types is null ? e.Types : WebhookRules.Types(r.Types);
            var outcomeId = r.OutcomeId switch { null => e.OutcomeId, { } id when id == Guid.Empty => null, { } id => id };
            if (outcomeId is { } outcome && outcome != e.OutcomeId)
            {
                await session.OutcomeAsync(outcome, ct);
            }

            var url = r.Url is null ? e.Url : await WebhookDestinations.CheckAsync(r.Url.Trim(), settings.Value, resolver, "url", ct);
            var events = new List<object>();
            var description = r.Description is null ? e.Description : r.Description.Trim();
            var maxBatch = r.MaxBatch ?? e.MaxBatch;
            if (url != e.Url || !types.SequenceEqual(e.Types) || outcomeId != e.OutcomeId || description != e.Description || maxBatch != e.MaxBatch)
            {
                events.Add(new WebhookEndpointRevised(e.Id, url, types, outcomeId, description, command.By, now, maxBatch));
            }

            if (r.Enabled is { } enabled && enabled != e.Enabled)
            {
                events.Add(enabled ? new WebhookEndpointEnabled(e.Id, command.By, now) : new WebhookEndpointDisabled(e.Id, $"Disabled by {command.By}.", null, command.By, now));
                if (enabled)
                {
                    // Enabled again: its failures so far no longer count towards disabling it.
                    session.Delete<WebhookEndpointHealth>(e.Id);
                }
            }

            return events;
        }
    }
}
