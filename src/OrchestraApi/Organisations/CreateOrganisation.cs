using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using OrchestraApi.Platform;

namespace OrchestraApi.Organisations;

/// <summary>A new organisation (client brand).</summary>
/// <param name="Name">The brand's name, as people know it.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateOrganisationRequest([property: Required, StringLength(200, MinimumLength = 1)] string Name)
    : IHasExample<CreateOrganisationRequest>
{
    public static CreateOrganisationRequest Example => new("Northwind Coffee");
}

/// <param name="CreatedAt">When it was created (UTC).</param>
public sealed record OrganisationDetails(Guid Id, [property: MaxLength(200)] string Name, DateTimeOffset CreatedAt);

public sealed record CreateOrganisation(CreateOrganisationRequest Request, [property: JsonIgnore] string? IdempotencyKey)
    : IIdempotentCommand<OrganisationDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : MediatR.IRequestHandler<CreateOrganisation, OrganisationDetails>
    {
        public Task<OrganisationDetails> Handle(CreateOrganisation command, CancellationToken cancellationToken)
        {
            var organisation = new Organisation(Guid.CreateVersion7(), command.Request.Name.Trim(), clock.GetUtcNow());
            session.Insert(organisation);
            return Task.FromResult(new OrganisationDetails(organisation.Id, organisation.Name, organisation.CreatedAt));
        }
    }
}
