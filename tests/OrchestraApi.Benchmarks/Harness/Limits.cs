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

    /// <summary>A minimal-API endpoint that reads a JSON body and inserts it as one jsonb row with Npgsql.</summary>
    public static async Task RunBareServerAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var connectionString = Environment.GetEnvironmentVariable("BENCH_DB") ?? throw new InvalidOperationException("BENCH_DB is not set.");
        builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
        var app = builder.Build();
        await using (var setup = app.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, doc jsonb NOT NULL)"))
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
        await app.RunAsync();
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();
}
