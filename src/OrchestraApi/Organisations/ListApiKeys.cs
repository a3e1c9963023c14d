using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Organisations;

/// <summary>An issued key without its secret.</summary>
public sealed record ApiKeySummary(Guid Id, string Name, Role Role, IReadOnlyList<Discipline> Disciplines, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeySummary From(ApiKey key) => new(key.Id, key.Name, key.Role, key.Disciplines, key.CreatedAt, key.RevokedAt);
}

public sealed record ListApiKeys(Guid OrganisationId, string? CallerOrganisation, PageRequest Page) : IRequest<Page<ApiKeySummary>>
{
    public sealed class Handler(IDocumentStore store) : IRequestHandler<ListApiKeys, Page<ApiKeySummary>>
    {
        public async Task<Page<ApiKeySummary>> Handle(ListApiKeys query, CancellationToken cancellationToken)
        {
            await Keys.EnsureOrganisationAsync(store, query.OrganisationId, query.CallerOrganisation, cancellationToken);
            var page = query.Page.ById();
            await using var session = store.QuerySession(query.OrganisationId.ToString());
            return await page.ReadAsync(session.Query<ApiKey>(), k => k.Id, ApiKeySummary.From, cancellationToken);
        }
    }
}
