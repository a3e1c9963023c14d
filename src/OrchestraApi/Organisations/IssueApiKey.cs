using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
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
/// <param name="Role">The key's role: Admin, Cmo, Conductor, Orchestrator or Agency.</param>
/// <param name="CreatedAt">When it was created (UTC).</param>
public sealed record IssuedApiKey(Guid Id, [property: MaxLength(200)] string Name, Role Role, [property: MaxLength(4)] IReadOnlyList<Discipline> Disciplines, DateTimeOffset CreatedAt, [property: MaxLength(200)] string Key);

/// <summary>
/// Its answer is never replayed (that would mean storing the secret): a retry with the Idempotency-Key of a key
/// already issued is a 409 naming that key, so a caller whose answer was lost knows to revoke it and issue another.
/// </summary>
public sealed record IssueApiKey(Guid OrganisationId, IssueApiKeyRequest Request, string? CallerOrganisation, string? IdempotencyKey = null) : IRequest<IssuedApiKey>
{
    public sealed class Handler(IDocumentStore store, TimeProvider clock) : IRequestHandler<IssueApiKey, IssuedApiKey>
    {
        private static RuleViolationException ShownOnce(IdempotencyRecord earlier) => new(
            "api-key-shown-once",
            $"This Idempotency-Key already issued key {earlier.Response}; its secret was shown only once. If that answer was lost, revoke key {earlier.Response} and issue another.");

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
            var recordId = command.IdempotencyKey is { } k ? $"{typeof(IssueApiKey).FullName}:{k}" : null;
            if (recordId is not null && await session.LoadAsync<IdempotencyRecord>(recordId, cancellationToken) is { } earlier)
            {
                throw ShownOnce(earlier);
            }

            session.Insert(key);
            if (recordId is not null)
            {
                // Only the issued key's id is kept under the idempotency key, never its secret.
                session.Insert(new IdempotencyRecord(recordId, "", key.Id.ToString()));
            }

            try
            {
                await session.SaveChangesAsync(cancellationToken);
            }
            catch (Exception) when (recordId is not null)
            {
                // A concurrent retry with the same key issued first: say which key it issued.
                await using var fresh = store.QuerySession(command.OrganisationId.ToString());
                if (await fresh.LoadAsync<IdempotencyRecord>(recordId, CancellationToken.None) is { } winner)
                {
                    throw ShownOnce(winner);
                }

                throw;
            }

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
