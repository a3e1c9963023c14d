using Marten;
using Microsoft.Extensions.Caching.Memory;
using OrchestraApi.Organisations;

namespace OrchestraApi.Platform;

/// <summary>
/// Finds stored keys for authentication. Every request needs one, so a found key is cached for 30 seconds; revoking
/// a key forgets it here at once (another API instance would notice within those 30 seconds).
/// </summary>
public sealed class ApiKeyLookup(IDocumentStore store, IMemoryCache cache)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    public async Task<ApiKey?> FindAsync(Guid organisationId, Guid keyId, CancellationToken ct)
    {
        if (cache.TryGetValue((organisationId, keyId), out ApiKey? cached))
        {
            return cached;
        }

        await using var session = store.QuerySession(organisationId.ToString());
        var key = await session.LoadAsync<ApiKey>(keyId, ct);
        if (key is not null)
        {
            cache.Set((organisationId, keyId), key, Lifetime);
        }

        return key;
    }

    public void Forget(Guid organisationId, Guid keyId) => cache.Remove((organisationId, keyId));
}
