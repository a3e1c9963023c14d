using Npgsql;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>
/// Fills the event store fast for scenario 5: copies of a real event in streams of ten, written with
/// INSERT … SELECT in batches (not through HTTP), in the organisation the benchmark uses.
/// </summary>
public static class EventSeeder
{
    public static async Task SeedAsync(string connectionString, Guid templateStream, long events)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var streamColumns = await ColumnsAsync(connection, "mt_streams");
        var eventColumns = await ColumnsAsync(connection, "mt_events");
        var insertStreams = $"""
            INSERT INTO mt_streams ({string.Join(", ", streamColumns.Select(Quote))})
            SELECT {string.Join(", ", streamColumns.Select(c => c switch { "id" => "b.id", "version" => "10", _ => $"t.{Quote(c)}" }))}
            FROM bench_streams b CROSS JOIN (SELECT * FROM mt_streams WHERE id = $1) t
            """;
        var insertEvents = $"""
            INSERT INTO mt_events ({string.Join(", ", eventColumns.Select(Quote))})
            SELECT {string.Join(", ", eventColumns.Select(c => c switch { "seq_id" => "nextval('public.mt_events_sequence')", "id" => "gen_random_uuid()", "stream_id" => "b.id", "version" => "v", _ => $"e.{Quote(c)}" }))}
            FROM bench_streams b CROSS JOIN generate_series(1, 10) v CROSS JOIN (SELECT * FROM mt_events WHERE stream_id = $1 AND version = 1) e
            """;
        const int streamsPerBatch = 10_000;
        for (long written = 0; written < events; written += streamsPerBatch * 10)
        {
            await using var batch = await connection.BeginTransactionAsync();
            await Execute(connection, "CREATE TEMP TABLE bench_streams ON COMMIT DROP AS SELECT gen_random_uuid() AS id FROM generate_series(1, $1)", Math.Min(streamsPerBatch, (events - written + 9) / 10));
            await Execute(connection, insertStreams, templateStream);
            await Execute(connection, insertEvents, templateStream);
            await batch.CommitAsync();
        }

        await using var analyze = new NpgsqlCommand("ANALYZE mt_events; ANALYZE mt_streams;", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until the async daemon has looked at every event (its high-water mark and projections caught up).</summary>
    public static async Task WaitForDaemonAsync(string connectionString, TimeSpan timeout)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await using var behind = new NpgsqlCommand(
                "SELECT count(*) FROM mt_event_progression WHERE (name = 'HighWaterMark' OR name NOT LIKE 'HighWater%') AND last_seq_id < (SELECT coalesce(max(seq_id), 0) FROM mt_events)", connection);
            if ((long)(await behind.ExecuteScalarAsync())! == 0)
            {
                return;
            }

            await Task.Delay(500);
        }

        await using var state = new NpgsqlCommand("SELECT string_agg(name || ' at ' || last_seq_id, ', ') || ' of ' || (SELECT max(seq_id) FROM mt_events) FROM mt_event_progression", connection);
        Console.WriteLine($"  (the projection daemon had not caught up after {timeout.TotalSeconds:0} s: {await state.ExecuteScalarAsync()}; measuring anyway)");
    }

    public static async Task<long> CountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM mt_events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, object parameter)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, string table)
    {
        await using var command = new NpgsqlCommand(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static string Quote(string column) => $"\"{column}\"";
}
