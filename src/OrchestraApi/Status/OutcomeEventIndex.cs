using Marten;
using Npgsql;

namespace OrchestraApi.Status;

/// <summary>
/// The index that makes an outcome's events one range: every <see cref="IOutcomeEvent"/> carries its outcome in its
/// data (<c>outcomeId</c>), and <c>mt_events</c> is indexed on (organisation, that outcome, sequence), so the events of
/// one outcome — of its own stream, its plans', activities', connection graph's and results' — are read in commit
/// order by one index range, however many streams the outcome has (decision 21). An expression index, not a Marten
/// event tag: a tagged append also bumps a per-tag version row, which would make every writer of an outcome wait for
/// the others.
/// </summary>
public sealed class OutcomeEventIndex(NpgsqlDataSource database, IDocumentStore store) : IHostedService
{
    public const string Name = "mt_events_outcome";

    /// <summary>Marten manages <c>mt_events</c>: it is told to leave this index alone rather than drop it as unknown.</summary>
    public static void Register(StoreOptions marten) => marten.Events.IgnoreIndex(Name);

    /// <summary>
    /// Creates the index when it is missing — concurrently, so a large store keeps taking writes meanwhile; a no-op once
    /// it exists, and safe when several instances start at once. One left invalid by an interrupted build is rebuilt.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var valid = database.CreateCommand(
            "select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace where c.relname = $1 and n.nspname = $2");
        valid.Parameters.AddWithValue(Name);
        valid.Parameters.AddWithValue(schema);
        if (await valid.ExecuteScalarAsync(cancellationToken) is false)
        {
            await ExecuteAsync($"drop index concurrently if exists {schema}.{Name}", cancellationToken);
        }

        await ExecuteAsync($"create index concurrently if not exists {Name} on {schema}.mt_events (tenant_id, (data ->> 'outcomeId'), seq_id)", cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Each of the outcome's streams with its version at <paramref name="at"/> (streams not begun by then are absent):
    /// one range of the index, reading no event's data.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, long>> VersionsAtAsync(IQuerySession session, Guid outcomeId, DateTimeOffset at, CancellationToken ct)
    {
        var json = (await session.QueryAsync<string>(VersionsAtSql(session.DocumentStore.Options.Events.DatabaseSchemaName), ct, session.TenantId, outcomeId.ToString(), at)).Single();
        return System.Text.Json.JsonSerializer.Deserialize<Dictionary<Guid, long>>(json)!;
    }

    /// <summary>The query <see cref="VersionsAtAsync"/> runs, with its three parameters (organisation, outcome, moment) as <c>?</c>.</summary>
    public static string VersionsAtSql(string schema) =>
        // Materialized: the range is read on its own, by the outcome index, rather than planned together with the
        // grouping (which, on a small table, would walk the organisation's events in stream order instead).
        $$"""
        with outcome_events as materialized (
          select stream_id, version from {{schema}}.mt_events where tenant_id = ? and data ->> 'outcomeId' = ? and timestamp <= ?)
        select coalesce(jsonb_object_agg(stream_id, version), '{}')::text
        from (select stream_id, max(version) as version from outcome_events group by stream_id) as streams
        """;

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var command = database.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }
}
