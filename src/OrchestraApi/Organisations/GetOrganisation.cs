using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Organisations;

/// <summary>
/// One organisation: the bootstrap key reads any, a key of the organisation reads its own; any other is not found.
/// </summary>
public sealed record GetOrganisation(Guid OrganisationId, string? CallerOrganisation) : IRequest<OrganisationDetails>
{
    public sealed class Handler(IDocumentStore store) : IRequestHandler<GetOrganisation, OrganisationDetails>
    {
        public async Task<OrganisationDetails> Handle(GetOrganisation query, CancellationToken cancellationToken)
        {
            await using var registry = store.QuerySession(PlatformTenant.Id);
            var mayRead = query.CallerOrganisation is null || query.CallerOrganisation == query.OrganisationId.ToString();
            return mayRead && await registry.LoadAsync<Organisation>(query.OrganisationId, cancellationToken) is { } organisation
                ? new OrganisationDetails(organisation.Id, organisation.Name, organisation.CreatedAt)
                : throw new NotFoundException($"Organisation {query.OrganisationId} was not found.");
        }
    }
}
