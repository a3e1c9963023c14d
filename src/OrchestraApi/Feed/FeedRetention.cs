using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OrchestraApi.Feed;

/// <summary>
/// Removes feed entries (and finished webhook deliveries) older than the retention (<see cref="FeedSettings.RetentionDays"/>), every hour, a bounded
/// batch at a time, on every node (deleting what another node already deleted is a no-op). The events themselves stay
/// in their streams; a consumer asking for a removed position gets a 410 naming the oldest kept.
/// </summary>
public sealed class FeedRetention(NpgsqlDataSource database, IDocumentStore store, IOptions<FeedSettings> settings, TimeProvider clock, ILogger<FeedRetention> logger) : BackgroundService
{
    private const int BatchSize = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                var removed = await RemoveExpiredAsync(stoppingToken);
                if (removed > 0)
                {
                    logger.LogInformation("Removed {Count} feed entries older than {Days} days", removed, settings.Value.RetentionDays);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "The feed's retention could not run; it tries again in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// Deletes every entry older than the retention, and every webhook delivery that is no longer pending and was
    /// queued before it, in batches; answers how many entries.
    /// </summary>
    public async Task<long> RemoveExpiredAsync(CancellationToken ct)
    {
        // Marten names a document table mt_doc_{type}, in the store's schema.
        var schema = store.Options.DatabaseSchemaName;
        var cutoff = clock.GetUtcNow().AddDays(-settings.Value.RetentionDays);
        var removed = await RemoveAsync($"{schema}.mt_doc_{nameof(FeedEntry).ToLowerInvariant()}", "time < $1", cutoff, ct);
        await RemoveAsync($"{schema}.mt_doc_{nameof(Webhooks.WebhookDelivery).ToLowerInvariant()}", "state <> 'Pending' and (data ->> 'createdAt')::timestamptz < $1", cutoff, ct);
        return removed;
    }

    private async Task<long> RemoveAsync(string table, string condition, DateTimeOffset cutoff, CancellationToken ct)
    {
        long removed = 0;
        while (true)
        {
            await using var delete = database.CreateCommand($"delete from {table} where ctid = any(array(select ctid from {table} where {condition} limit {BatchSize}))");
            delete.Parameters.AddWithValue(cutoff);
            var count = await delete.ExecuteNonQueryAsync(ct);
            removed += count;
            if (count < BatchSize)
            {
                return removed;
            }
        }
    }
}
