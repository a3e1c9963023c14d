using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Organisations;

/// <summary>One issued key, without its secret (the Location of an issued key).</summary>
public sealed record GetApiKey(Guid OrganisationId, Guid KeyId, string? CallerOrganisation) : IRequest<ApiKeySummary>
{
    public sealed class Handler(IDocumentStore store) : IRequestHandler<GetApiKey, ApiKeySummary>
    {
        public async Task<ApiKeySummary> Handle(GetApiKey query, CancellationToken cancellationToken)
        {
            await Keys.EnsureOrganisationAsync(store, query.OrganisationId, query.CallerOrganisation, cancellationToken);
            await using var session = store.QuerySession(query.OrganisationId.ToString());
            return await session.LoadAsync<ApiKey>(query.KeyId, cancellationToken) is { } key
                ? ApiKeySummary.From(key)
                : throw new NotFoundException($"API key {query.KeyId} was not found in organisation {query.OrganisationId}.");
        }
    }
}
