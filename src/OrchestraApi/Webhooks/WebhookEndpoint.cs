using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

/// <summary>An endpoint was registered to receive the organisation's events; <see cref="MaxBatch"/> null: one event a request.</summary>
public sealed record WebhookEndpointRegistered(Guid EndpointId, string Url, IReadOnlyList<string> Types, Guid? OutcomeId, string? Description, bool Enabled, string By, DateTimeOffset At, int? MaxBatch = null) : IEventOf<WebhookEndpoint>;

/// <summary>An endpoint's URL, types, outcome filter, description or batch size changed (<see cref="MaxBatch"/> null: as before).</summary>
public sealed record WebhookEndpointRevised(Guid EndpointId, string Url, IReadOnlyList<string> Types, Guid? OutcomeId, string? Description, string By, DateTimeOffset At, int? MaxBatch = null) : IEventOf<WebhookEndpoint>;

/// <summary>An endpoint was enabled again: its pending deliveries resume and new events reach it.</summary>
public sealed record WebhookEndpointEnabled(Guid EndpointId, string By, DateTimeOffset At) : IEventOf<WebhookEndpoint>;

/// <summary>
/// An endpoint was disabled: by someone, or by the API (it answered 410 Gone, or failed continuously for days). Its
/// pending deliveries wait; events meanwhile are not queued for it — replay them from <see cref="FirstFailedPosition"/>.
/// </summary>
public sealed record WebhookEndpointDisabled(Guid EndpointId, string Reason, long? FirstFailedPosition, string By, DateTimeOffset At) : IEventOf<WebhookEndpoint>;

/// <summary>A new signing secret: the previous one still signs alongside it until <see cref="PreviousExpiresAt"/>.</summary>
public sealed record WebhookSecretRotated(Guid EndpointId, DateTimeOffset PreviousExpiresAt, string By, DateTimeOffset At) : IEventOf<WebhookEndpoint>;

/// <summary>The previous signing secret stopped signing before its time.</summary>
public sealed record WebhookPreviousSecretRevoked(Guid EndpointId, string By, DateTimeOffset At) : IEventOf<WebhookEndpoint>;

/// <summary>
/// A webhook endpoint of the organisation (Admin): where the events go, which ones, and whether it receives them.
/// Its secrets are never in its events (<see cref="WebhookSecrets"/>).
/// </summary>
public sealed record WebhookEndpoint(
    Guid Id, string Url, IReadOnlyList<string> Types, Guid? OutcomeId, string? Description, bool Enabled, string? DisabledReason, DateTimeOffset? DisabledAt,
    long? FirstFailedPosition, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    : IFold<WebhookEndpoint>, IStreamVersioned
{
    /// <summary>The stream version, set by Marten.</summary>
    public long Version { get; set; }

    /// <summary>Events of one outcome sent together in one request, at most (1: one event a request, a CloudEvent; more: a CloudEvents batch).</summary>
    public int MaxBatch { get; init; } = 1;

    /// <summary>Whether an event of this type and outcome is for this endpoint (enabled or not).</summary>
    public bool Wants(string type, Guid? outcomeId) => (Types.Count == 0 || Types.Contains(type)) && (OutcomeId is null || OutcomeId == outcomeId);

    public static WebhookEndpoint Start(object first) => first is WebhookEndpointRegistered e
        ? new(e.EndpointId, e.Url, e.Types, e.OutcomeId, e.Description, e.Enabled, null, null, null, null, e.At, e.At) { MaxBatch = e.MaxBatch ?? 1 }
        : throw new UnknownEventException(typeof(WebhookEndpoint), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public WebhookEndpoint Evolve(object e) => e switch
    {
        WebhookEndpointRevised x => this with { Url = x.Url, Types = x.Types, OutcomeId = x.OutcomeId, Description = x.Description, UpdatedAt = x.At, MaxBatch = x.MaxBatch ?? MaxBatch },
        WebhookEndpointEnabled x => this with { Enabled = true, DisabledReason = null, DisabledAt = null, UpdatedAt = x.At },
        WebhookEndpointDisabled x => this with { Enabled = false, DisabledReason = x.Reason, DisabledAt = x.At, FirstFailedPosition = x.FirstFailedPosition, UpdatedAt = x.At },
        WebhookSecretRotated x => this with { PreviousSecretExpiresAt = x.PreviousExpiresAt, UpdatedAt = x.At },
        WebhookPreviousSecretRevoked x => this with { PreviousSecretExpiresAt = null, UpdatedAt = x.At },
        _ => throw new UnknownEventException(typeof(WebhookEndpoint), e),
    };
}
