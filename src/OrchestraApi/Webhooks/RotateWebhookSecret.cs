using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

/// <summary>How long the previous secret keeps signing beside the new one.</summary>
/// <param name="OverlapHours">Hours the previous secret still signs (every message then carries two signatures), 0–168; omitted: 24. 0 stops it at once.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RotateWebhookSecretRequest([property: Range(0, WebhookRules.MaxOverlapHours)] int? OverlapHours = null) : IHasExample<RotateWebhookSecretRequest>
{
    public static RotateWebhookSecretRequest Example => new(24);
}

public sealed record RotateWebhookSecret(Guid EndpointId, long ExpectedVersion, RotateWebhookSecretRequest Request, string By) : ICommand<WebhookEndpointDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<RotateWebhookSecret, WebhookEndpointDetails>
    {
        public async Task<WebhookEndpointDetails> Handle(RotateWebhookSecret command, CancellationToken cancellationToken)
        {
            var overlap = command.Request.OverlapHours ?? WebhookRules.DefaultOverlapHours;
            if (overlap is < 0 or > WebhookRules.MaxOverlapHours)
            {
                throw new InvalidInputException("overlapHours", $"must be between 0 and {WebhookRules.MaxOverlapHours} (7 days).");
            }

            var now = clock.GetUtcNow();
            var (endpoint, version) = await session.DecideAsync<WebhookEndpoint>(
                command.EndpointId, command.ExpectedVersion, _ => [new WebhookSecretRotated(command.EndpointId, now.AddHours(overlap), command.By, now)], (e, x) => e.Evolve(x), cancellationToken);
            var secrets = await session.LoadAsync<WebhookSecrets>(command.EndpointId, cancellationToken) ?? throw new NotFoundException($"WebhookEndpoint {command.EndpointId} was not found.");
            var secret = WebhookSecrets.NewSecret();
            session.Store(new WebhookSecrets(secrets.Id, secret, secrets.Current, now.AddHours(overlap)));
            return WebhookEndpointDetails.Of(endpoint, version, secret);
        }
    }
}

/// <summary>Stops the previous secret signing now, before its overlap ends.</summary>
public sealed record RevokePreviousWebhookSecret(Guid EndpointId, long ExpectedVersion, string By) : ICommand<WebhookEndpointDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<RevokePreviousWebhookSecret, WebhookEndpointDetails>
    {
        public async Task<WebhookEndpointDetails> Handle(RevokePreviousWebhookSecret command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var (endpoint, version) = await session.DecideAsync<WebhookEndpoint>(
                command.EndpointId, command.ExpectedVersion,
                e => e.PreviousSecretExpiresAt > now ? [new WebhookPreviousSecretRevoked(e.Id, command.By, now)] : throw new RuleViolationException("no-previous-secret", "The endpoint has no previous secret that still signs: nothing to revoke."),
                (e, x) => e.Evolve(x), cancellationToken);
            var secrets = await session.LoadAsync<WebhookSecrets>(command.EndpointId, cancellationToken) ?? throw new NotFoundException($"WebhookEndpoint {command.EndpointId} was not found.");
            session.Store(secrets with { Previous = null, PreviousExpiresAt = null });
            return WebhookEndpointDetails.Of(endpoint, version);
        }
    }
}
