using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Organisations;

/// <summary>A key to issue.</summary>
/// <param name="Name">Who or what holds the key (a person, an agency, an integration); shown in history entries.</param>
/// <param name="Role">What the key may do.</param>
/// <param name="Disciplines">Exactly one for an orchestrator, at least one for an agency, none otherwise.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record IssueApiKeyRequest(
    [property: Required, StringLength(200, MinimumLength = 1)] string Name,
    Role Role,
    [property: MaxLength(4)] IReadOnlyList<Discipline>? Disciplines = null)
    : IHasExample<IssueApiKeyRequest>
{
    public static IssueApiKeyRequest Example => new("Ada Lovelace (conductor, loyalty)", Role.Conductor);
}

/// <summary>An issued key. <c>key</c> is shown only in the response that issues it; store it now.</summary>
public sealed record IssuedApiKey(Guid Id, string Name, Role Role, IReadOnlyList<Discipline> Disciplines, DateTimeOffset CreatedAt, string Key);

/// <summary>Not idempotent on purpose: replaying the response would mean storing the secret.</summary>
public sealed record IssueApiKey(Guid OrganisationId, IssueApiKeyRequest Request, string? CallerOrganisation) : IRequest<IssuedApiKey>
{
    public sealed class Handler(IDocumentStore store, TimeProvider clock) : IRequestHandler<IssueApiKey, IssuedApiKey>
    {
        public async Task<IssuedApiKey> Handle(IssueApiKey command, CancellationToken cancellationToken)
        {
            await Keys.EnsureOrganisationAsync(store, command.OrganisationId, command.CallerOrganisation, cancellationToken);
            var disciplines = (command.Request.Disciplines ?? []).Distinct().ToArray();
            var allowed = command.Request.Role switch
            {
                Role.Orchestrator => disciplines.Length == 1,
                Role.Agency => disciplines.Length >= 1,
                _ => disciplines.Length == 0,
            };
            if (!allowed)
            {
                throw new InvalidInputException("disciplines", "an orchestrator key needs exactly one discipline, an agency key at least one, other roles none.");
            }

            var id = Guid.CreateVersion7();
            var (token, hash) = ApiKeyFormat.Create(command.OrganisationId, id);
            var key = new ApiKey(id, command.Request.Name.Trim(), command.Request.Role, disciplines, hash, clock.GetUtcNow());
            await using var session = store.LightweightSession(command.OrganisationId.ToString());
            session.Insert(key);
            await session.SaveChangesAsync(cancellationToken);
            return new IssuedApiKey(key.Id, key.Name, key.Role, key.Disciplines, key.CreatedAt, token);
        }
    }
}

internal static class Keys
{
    /// <summary>An organisation admin manages only its own keys; any other organisation is not found for it.</summary>
    public static async Task EnsureOrganisationAsync(IDocumentStore store, Guid organisationId, string? callerOrganisation, CancellationToken ct)
    {
        await using var registry = store.QuerySession(PlatformTenant.Id);
        var mayManage = callerOrganisation is null || callerOrganisation == organisationId.ToString();
        if (!mayManage || await registry.LoadAsync<Organisation>(organisationId, ct) is null)
        {
            throw new NotFoundException($"Organisation {organisationId} was not found.");
        }
    }
}
