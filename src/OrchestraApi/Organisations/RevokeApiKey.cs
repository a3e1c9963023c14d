using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Organisations;

/// <summary>Revoking is final and takes effect on the next request; revoking twice is harmless.</summary>
public sealed record RevokeApiKey(Guid OrganisationId, Guid KeyId, string? CallerOrganisation) : IRequest<ApiKeySummary>
{
    public sealed class Handler(IDocumentStore store, ApiKeyLookup lookup, TimeProvider clock) : IRequestHandler<RevokeApiKey, ApiKeySummary>
    {
        public async Task<ApiKeySummary> Handle(RevokeApiKey command, CancellationToken cancellationToken)
        {
            await Keys.EnsureOrganisationAsync(store, command.OrganisationId, command.CallerOrganisation, cancellationToken);
            await using var session = store.LightweightSession(command.OrganisationId.ToString());
            var key = await session.LoadAsync<ApiKey>(command.KeyId, cancellationToken)
                ?? throw new NotFoundException($"API key {command.KeyId} was not found.");
            if (key.RevokedAt is null)
            {
                key = key with { RevokedAt = clock.GetUtcNow() };
                session.Update(key);
                ApiKeyLookup.NotifyRevoked(session, command.OrganisationId, key.Id);
                await session.SaveChangesAsync(cancellationToken);
                // This node at once, before the answer leaves; the others when they hear the notification.
                lookup.Forget(command.OrganisationId, key.Id);
            }

            return ApiKeySummary.From(key);
        }
    }
}
