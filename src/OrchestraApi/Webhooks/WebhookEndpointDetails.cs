using System.ComponentModel.DataAnnotations;
using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

/// <summary>A webhook endpoint; <c>version</c> is its ETag.</summary>
/// <param name="Url">Where events are POSTed.</param>
/// <param name="Types">The event types it receives (the event catalogue, `GET /event-types`); empty: every type.</param>
/// <param name="OutcomeId">Only this outcome's events; null: the whole organisation's.</param>
/// <param name="Description">What it is for, as given.</param>
/// <param name="Enabled">Whether it receives events. A disabled endpoint's pending deliveries wait, and events meanwhile are not queued for it.</param>
/// <param name="DisabledReason">Why it was disabled: by whom, or that it answered 410 Gone or failed continuously for 5 days; null while enabled.</param>
/// <param name="DisabledAt">When it was disabled; null while enabled.</param>
/// <param name="ReplayAfter">When the API disabled it: the position to replay after (`POST /webhook-endpoints/{id}/replay` with `after`) to receive every event from its first failure on; null otherwise.</param>
/// <param name="Secret">The signing secret (`whsec_…`): only in the answer to registering it or rotating its secret, null everywhere else. Keep it: it is never shown again.</param>
/// <param name="PreviousSecretExpiresAt">While a rotation overlaps: until when the previous secret still signs too (two signatures per message); null otherwise.</param>
/// <param name="CreatedAt">When it was registered (UTC).</param>
/// <param name="MaxBatch">Events of one outcome sent together in one request, at most: 1, each event alone as a CloudEvent; more, a CloudEvents batch (a JSON array).</param>
public sealed record WebhookEndpointDetails(
    Guid Id, long Version, [property: MaxLength(WebhookDestinations.MaxUrlLength)] string Url, [property: MaxLength(WebhookRules.MaxTypes), ItemsLength(100)] IReadOnlyList<string> Types, Guid? OutcomeId,
    [property: MaxLength(WebhookRules.MaxDescription)] string? Description, bool Enabled, [property: MaxLength(500)] string? DisabledReason, DateTimeOffset? DisabledAt, long? ReplayAfter,
    [property: MaxLength(100)] string? Secret, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    [property: Range(1, WebhookRules.MaxBatch)] int MaxBatch)
    : IVersioned
{
    public static WebhookEndpointDetails Of(WebhookEndpoint e, long version, string? secret = null) => new(
        e.Id, version, e.Url, e.Types, e.OutcomeId, e.Description, e.Enabled, e.DisabledReason, e.DisabledAt,
        e.Enabled ? null : e.FirstFailedPosition - 1, secret, e.PreviousSecretExpiresAt, e.CreatedAt, e.UpdatedAt, e.MaxBatch);
}

/// <summary>The limits of an endpoint's registration.</summary>
public static class WebhookRules
{
    public const int MaxTypes = 50;
    public const int MaxDescription = 500;

    /// <summary>Events in one batch request, at most; and its size, at most (one larger event goes alone).</summary>
    public const int MaxBatch = 100;
    public const int MaxBatchBytes = 256 * 1024;

    /// <summary>An organisation's endpoints, at most.</summary>
    public const int MaxEndpoints = 20;

    /// <summary>The type of a test send: never on the feed.</summary>
    public const string TestType = "orchestra.webhook_endpoint.test.v1";

    public const int DefaultOverlapHours = 24;
    public const int MaxOverlapHours = 168;

    /// <summary>Who acts when the API itself changes an endpoint (disabling it after failures).</summary>
    public const string System = "OrchestraApi";

    /// <summary>Checks the types (each in the catalogue, none twice) and answers them in order, without duplicates.</summary>
    public static IReadOnlyList<string> Types(IReadOnlyList<string>? types, string field = "types")
    {
        if (types is null)
        {
            return [];
        }

        var unknown = types.FirstOrDefault(t => t is null || !Feed.PublicEvents.Types.Contains(t));
        if (types.Count > MaxTypes)
        {
            throw new InvalidInputException(field, $"lists more than {MaxTypes} types.");
        }

        if (types.Any(t => t is null) || unknown is not null)
        {
            throw new InvalidInputException(field, unknown is { Length: <= 100 } ? $"'{unknown}' is not an event type of the catalogue (GET /event-types)." : "names a type that is not in the catalogue (GET /event-types).");
        }

        return [.. types.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}
