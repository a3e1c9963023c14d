using System.Collections.Concurrent;
using Marten;
using Marten.Exceptions;
using OrchestraApi.Platform;

namespace OrchestraApi.Feed;

/// <summary>A day (UTC) on which a key of the organisation read its feed, and when first: evidence that someone consumes the events (the maturity's event-driven stage).</summary>
public sealed record FeedReadDay(Guid Id, DateOnly Day, DateTimeOffset FirstReadAt)
{
    public static Guid IdOf(string tenant, DateOnly day) => NamedIds.Of($"feed-read:{tenant}:{day:yyyy-MM-dd}");
}

/// <summary>
/// Records the first read of an organisation's feed each day: one insert per organisation and day (per node: a node
/// that already recorded the day writes nothing more). A failure to record never fails the read.
/// </summary>
public sealed class FeedReads(IDocumentStore store, TimeProvider clock, ILogger<FeedReads> logger)
{
    private readonly ConcurrentDictionary<(string Tenant, DateOnly Day), bool> _recorded = new();

    public async Task RecordAsync(string tenant, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        if (!_recorded.TryAdd((tenant, day), true))
        {
            return;
        }

        if (_recorded.Count > 10_000)
        {
            foreach (var old in _recorded.Keys.Where(k => k.Day < day))
            {
                _recorded.TryRemove(old, out _);
            }
        }

        try
        {
            await using var session = store.LightweightSession(tenant);
            session.Insert(new FeedReadDay(FeedReadDay.IdOf(tenant, day), day, now));
            await session.SaveChangesAsync(ct);
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            // Another node (or an earlier life of this one) recorded the day first.
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or MartenException or OperationCanceledException)
        {
            _recorded.TryRemove((tenant, day), out _);
            logger.LogWarning(e, "The feed read of {Tenant} on {Day} was not recorded", tenant, day);
        }
    }
}
