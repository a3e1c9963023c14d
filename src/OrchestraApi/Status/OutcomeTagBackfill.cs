using Marten;
using Npgsql;

namespace OrchestraApi.Status;

/// <summary>
/// Tags the outcome events a database held before events were tagged (<see cref="OutcomeTag"/>): at start-up, every
/// outcome event older than the first tagged one gets its tag row, so as-of never reads a history with a hole in it.
/// Idempotent and cheap once done (a range of the events before the first tag); several instances may run it at once.
/// </summary>
public sealed class OutcomeTagBackfill(IDocumentStore store, NpgsqlDataSource database, ILogger<OutcomeTagBackfill> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var events = (Marten.Events.EventGraph)store.Options.Events;
        var types = typeof(IOutcomeEvent).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IOutcomeEvent).IsAssignableFrom(t))
            .Select(t => events.EventMappingFor(t).EventTypeName)
            .ToArray();
        var schema = events.DatabaseSchemaName;
        var tags = $"{schema}.mt_event_tag_{OutcomeTag.Table}";
        await using var backfill = database.CreateCommand(
            $"""
            insert into {tags} (value, tenant_id, seq_id)
            select (e.data ->> 'outcomeId')::uuid, e.tenant_id, e.seq_id from {schema}.mt_events e
            where e.seq_id < coalesce((select min(seq_id) from {tags}), (select max(seq_id) + 1 from {schema}.mt_events), 0)
              and e.type = any($1) and e.data ? 'outcomeId'
            on conflict do nothing
            """);
        backfill.Parameters.AddWithValue(types);
        var tagged = await backfill.ExecuteNonQueryAsync(cancellationToken);
        if (tagged > 0)
        {
            logger.LogInformation("Tagged {Count} outcome events recorded before events were tagged.", tagged);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
