using Marten;
using Microsoft.Extensions.Caching.Memory;
using OrchestraApi.Organisations;

namespace OrchestraApi.Platform;

/// <summary>
/// Finds stored keys for authentication. Every request needs one, so a found key is kept for 30 seconds — but never
/// past its revocation: revoking a key notifies every node in the revoking transaction (<see cref="NotifyRevoked"/>),
/// and each node forgets the key as soon as it hears it (measured within a second). A node whose listener lost its
/// connection forgets every key it holds, since it may have missed a revocation.
/// </summary>
public sealed class ApiKeyLookup(IDocumentStore store, IMemoryCache cache) : INodeNotifications
{
    public const string ChannelName = "orchestra_api_key_revocations";

    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    /// <summary>Part of every cache entry's key: moving it on forgets every key held (<see cref="MayHaveMissed"/>).</summary>
    private long _generation;

    public string Channel => ChannelName;

    public async Task<ApiKey?> FindAsync(Guid organisationId, Guid keyId, CancellationToken ct)
    {
        var entry = (Interlocked.Read(ref _generation), organisationId, keyId);
        if (cache.TryGetValue(entry, out ApiKey? cached))
        {
            return cached;
        }

        await using var session = store.QuerySession(organisationId.ToString());
        var key = await session.LoadAsync<ApiKey>(keyId, ct);
        if (key is not null)
        {
            cache.Set(entry, key, Lifetime);
        }

        return key;
    }

    /// <summary>In the revoking transaction: every node forgets the key once it commits (this one included).</summary>
    public static void NotifyRevoked(IDocumentSession session, Guid organisationId, Guid keyId) =>
        // NOTIFY's payload is a literal: two ids, formatted by us, nothing a caller wrote.
        session.QueueSqlCommand($"NOTIFY {ChannelName}, '{organisationId:D}/{keyId:D}'");

    public void Forget(Guid organisationId, Guid keyId) => cache.Remove((Interlocked.Read(ref _generation), organisationId, keyId));

    public void Heard(string payload)
    {
        var parts = payload.Split('/');
        if (parts.Length == 2 && Guid.TryParse(parts[0], out var organisationId) && Guid.TryParse(parts[1], out var keyId))
        {
            Forget(organisationId, keyId);
        }
    }

    public void MayHaveMissed() => Interlocked.Increment(ref _generation);
}
