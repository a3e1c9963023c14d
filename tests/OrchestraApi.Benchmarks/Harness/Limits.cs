using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using OrchestraApi.EmbeddedPostgres;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>What this machine can do at best: the database alone (a), and any HTTP service that writes to it (b).</summary>
public static partial class Limits
{
    public const string Row = """{"name":"Win-back emails","channel":"Email","startsOn":"2027-03-01","endsOn":"2027-03-28","budget":{"amount":1,"currency":"EUR"}}""";

    /// <summary>(a) pgbench, one jsonb row per transaction, prepared statements, <paramref name="clients"/> connections.</summary>
    public static async Task<RunResult> PgbenchAsync(string pgbench, LocalPostgres cluster, int clients, TimeSpan duration)
    {
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString()))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS bench_pgbench (id bigserial PRIMARY KEY, doc jsonb NOT NULL)", connection);
            await create.ExecuteNonQueryAsync();
        }

        var script = Path.Combine(Path.GetTempPath(), $"orchestra-pgbench-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, $"INSERT INTO bench_pgbench (doc) VALUES ('{Row}');\n");
        var start = new ProcessStartInfo(pgbench)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PGPASSWORD"] = cluster.Password;
        foreach (var argument in new[] { "-n", "-M", "prepared", "-c", $"{clients}", "-j", "2", "-T", $"{(int)duration.TotalSeconds}", "-f", script, "-h", "127.0.0.1", "-p", $"{cluster.Port}", "-U", "postgres", "postgres" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(script);
        var tps = Tps().Match(output);
        return tps.Success
            ? RunResult.ThroughputOnly("limit (a): pgbench insert", double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"pgbench failed: {output} {error}");
    }

    /// <summary>(b) The bare endpoint: run by this program in its own process (see <see cref="RunBareServerAsync"/>).</summary>
    public static Func<int, CancellationToken, Task<bool>> BareOperation(HttpClient http) => async (_, ct) =>
    {
        using var content = new StringContent(Row, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("bare", UriKind.Relative), content, ct);
        return response.IsSuccessStatusCode;
    };

    /// <summary>Rows the read limit reads among (written first by <see cref="SeedBareReadsAsync"/>).</summary>
    public const int ReadRows = 1_000;

    /// <summary>Rows in one batch of the batch limit, as in scenario 11.</summary>
    public const int BatchRows = 1_000;

    /// <summary>A batch as scenario 11 sends it: 1,000 result rows in one JSON array.</summary>
    private static readonly string Batch = JsonSerializer.Serialize(Enumerable.Range(0, BatchRows).Select(i => new
    {
        activityId = Guid.CreateVersion7(), from = "2027-03-01", to = "2027-03-07", reached = 1_000 + i, impressions = 3_000 + i, responses = 50 + (i % 50),
        conversions = 5 + (i % 5), revenue = new { amount = 500m + i, currency = "EUR" }, cost = new { amount = 100m + (i % 100), currency = "EUR" }, sourceRef = $"row-{i}",
    }));

    /// <summary>Writes the rows (b-read) reads, through the bare endpoint.</summary>
    public static async Task SeedBareReadsAsync(HttpClient http)
    {
        for (var i = 0; i < ReadRows; i++)
        {
            await BareOperation(http)(0, CancellationToken.None);
        }
    }

    /// <summary>(b-read) The bare endpoint reading one jsonb row by id and answering it.</summary>
    public static Func<int, CancellationToken, Task<bool>> BareReadOperation(HttpClient http) => async (_, ct) =>
    {
        using var response = await http.GetAsync(new Uri($"bare/{Random.Shared.Next(1, ReadRows + 1)}", UriKind.Relative), ct);
        return response.IsSuccessStatusCode;
    };

    /// <summary>(b-batch) The bare endpoint copying a 1,000-row JSON array into PostgreSQL (binary COPY, one transaction).</summary>
    public static Func<int, CancellationToken, Task<bool>> BareBatchOperation(HttpClient http) => async (_, ct) =>
    {
        using var content = new StringContent(Batch, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("bare-batch", UriKind.Relative), content, ct);
        return response.IsSuccessStatusCode;
    };

    /// <summary>A minimal-API endpoint that reads a JSON body and inserts it as one jsonb row with Npgsql; reads one back by id; copies a batch.</summary>
    public static async Task RunBareServerAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var connectionString = Environment.GetEnvironmentVariable("BENCH_DB") ?? throw new InvalidOperationException("BENCH_DB is not set.");
        builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
        var app = builder.Build();
        await using (var setup = app.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, doc jsonb NOT NULL); CREATE TABLE IF NOT EXISTS bench_bare_rows (id bigserial PRIMARY KEY, doc jsonb NOT NULL)"))
        {
            await setup.ExecuteNonQueryAsync();
        }

        app.MapGet("/ready", () => Results.Ok());
        app.MapPost("/bare", async (HttpRequest request, NpgsqlDataSource db) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            await using var insert = db.CreateCommand("INSERT INTO bench_bare (doc) VALUES ($1)");
            insert.Parameters.Add(new NpgsqlParameter { Value = body.RootElement.GetRawText(), NpgsqlDbType = NpgsqlDbType.Jsonb });
            await insert.ExecuteNonQueryAsync();
            return Results.Created();
        });
        app.MapGet("/bare/{id:long}", async (long id, NpgsqlDataSource db) =>
        {
            await using var select = db.CreateCommand("SELECT doc::text FROM bench_bare WHERE id = $1");
            select.Parameters.AddWithValue(id);
            return await select.ExecuteScalarAsync() is string doc ? Results.Content(doc, "application/json") : Results.NotFound();
        });
        app.MapPost("/bare-batch", async (HttpRequest request, NpgsqlDataSource db) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            await using var connection = await db.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var copy = await connection.BeginBinaryImportAsync("COPY bench_bare_rows (doc) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var row in body.RootElement.EnumerateArray())
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(row.GetRawText(), NpgsqlDbType.Jsonb);
                }

                await copy.CompleteAsync();
            }

            await transaction.CommitAsync();
            return Results.Created();
        });
        await app.RunAsync();
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
