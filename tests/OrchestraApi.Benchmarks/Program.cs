using System.Diagnostics;
using System.Globalization;
using Npgsql;
using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Benchmarks.Scenarios;
using OrchestraApi.EmbeddedPostgres;

// The benchmark program: dotnet run -c Release --project tests/OrchestraApi.Benchmarks [-- --quick]
// It measures the API (Release, its own process) on its own PostgreSQL cluster with fsync on, next to two limits
// measured on the same cluster with the same clients: (a) pgbench, (b) a bare minimal-API endpoint, (c) a plain
// Marten endpoint (FetchForWriting, append one event, SaveChanges).
if (args is ["bare-server", ..])
{
    await Limits.RunBareServerAsync(args[1..]);
    return 0;
}

if (args is ["receiver-server", ..])
{
    await EventBenchmarks.RunReceiverAsync(args[1..]);
    return 0;
}

if (args is ["marten-server", ..])
{
    await MartenLimit.RunServerAsync(args[1..]);
    return 0;
}

var quick = args.Contains("--quick");
// --only 3 (or --only 8,9,10): just the scenarios numbered so (no limits, no scenario 1 rounds), to iterate on one.
var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
// --clients 1: how many concurrent clients drive each scenario (default 16).
var clients = int.TryParse(args.SkipWhile(a => a != "--clients").Skip(1).FirstOrDefault(), out var n) && n > 0 ? n : 16;
var settings = new Settings(
    Clients: clients,
    WarmUp: TimeSpan.FromSeconds(quick ? 1 : 3),
    Duration: TimeSpan.FromSeconds(quick ? 5 : 15),
    Rounds: quick ? 1 : 3,
    StoreEvents: quick ? 100_000 : 1_000_000);
var culture = CultureInfo.InvariantCulture;
CultureInfo.DefaultThreadCurrentCulture = culture;
Console.WriteLine($"OrchestraApi benchmarks, {(quick ? "quick" : "full")} mode: {settings.Clients} clients, {settings.Duration.TotalSeconds:0} s per run after {settings.WarmUp.TotalSeconds:0} s warm-up, {settings.Rounds} interleaved round(s)");
Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e9)} GB, PostgreSQL with fsync on");

var root = RepositoryRoot();
await RunAsync("dotnet", $"build -c Release \"{Path.Combine(root, "src/OrchestraApi")}\" -nologo -v q");

// --nodes 1,2,3: scenarios 1 and 13 through haproxy in front of that many nodes. --soak MINUTES: mixed traffic at half
// the peak through three nodes, a line a minute.
if (args.SkipWhile(a => a != "--nodes").Skip(1).FirstOrDefault() is { } nodeCounts)
{
    await ClusterBenchmarks.RunNodesAsync([.. nodeCounts.Split(',').Select(c => int.Parse(c, culture))], settings);
    return 0;
}

if (args.SkipWhile(a => a != "--soak").Skip(1).FirstOrDefault() is { } soakMinutes)
{
    await ClusterBenchmarks.RunSoakAsync(int.Parse(soakMinutes, culture), settings);
    return 0;
}

var apiDll = Path.Combine(root, "src/OrchestraApi/bin/Release/net10.0/OrchestraApi.dll");
var pgbench = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin/pgbench")).Where(File.Exists).OrderDescending().First();

var dataDirectory = Path.Combine(Path.GetTempPath(), $"orchestra-bench-{Guid.NewGuid():N}");
await using var cluster = await LocalPostgres.StartAsync(dataDirectory, durable: true, "-c shared_preload_libraries=pg_stat_statements -c max_connections=300");
await Sql(cluster.ConnectionString(), "CREATE DATABASE orchestra");
var apiDatabase = cluster.ConnectionString("orchestra");
await Sql(apiDatabase, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
const string bootstrapKey = "benchmark-bootstrap-admin-key";
var apiEnvironment = new Dictionary<string, string>(BenchmarkContext.RaisedRateLimits)
{
    ["ConnectionStrings__Orchestra"] = apiDatabase,
    ["Orchestra__BootstrapAdminKey"] = bootstrapKey,
    // The event scenarios' webhook receivers listen on loopback over http.
    ["Orchestra__Webhooks__AllowLoopback"] = "true",
    ["Orchestra__Webhooks__AllowHttp"] = "true",
};

if (args.Contains("--no-group-commit"))
{
    // For comparing: every command runs alone, as before group commit (decision 31).
    apiEnvironment["Orchestra__GroupCommit__Enabled"] = "false";
}

var rows = new List<(RunResult Result, double RssMb)>();
var (api, _) = await ChildProcess.StartAsync(apiDll, "", apiEnvironment, "health/ready");
Console.WriteLine($"API process {api.Id} (attach dotnet-trace or dotnet-counters to it to see where its time goes)");
ChildProcess? bare = null;
ChildProcess? marten = null;
try
{
    (bare, _) = await ChildProcess.StartAsync(typeof(Limits).Assembly.Location, "bare-server", new Dictionary<string, string> { ["BENCH_DB"] = cluster.ConnectionString() }, "ready");
    (marten, _) = await ChildProcess.StartAsync(typeof(Limits).Assembly.Location, "marten-server", new Dictionary<string, string> { ["BENCH_DB"] = cluster.ConnectionString() }, "ready");
    using var context = await BenchmarkContext.CreateAsync(api.Address, bootstrapKey);
    using var bareHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = bare.Address };
    using var martenHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = marten.Address };
    var martenStreams = Enumerable.Range(0, settings.Clients).Select(_ => Guid.CreateVersion7()).ToArray();

    // --triggers: triggers under scenario 1 and dry runs (T1, T2) alone.
    if (args.Contains("--triggers"))
    {
        await TriggerBenchmarks.RunAsync(context, settings);
        Console.WriteLine($"  API peak RSS {api.PeakRssMegabytes:0} MB");
        return 0;
    }

    // --events: the feed and webhooks (E1–E3) alone.
    if (args.Contains("--events"))
    {
        await EventBenchmarks.RunAsync(context, apiDatabase, settings);
        Console.WriteLine($"  API peak RSS {api.PeakRssMegabytes:0} MB");
        return 0;
    }

    // Scenario 1 interleaved with the limits: absolute figures drift on shared machines, ratios hold.
    var schedule = new ScheduleActivityScenario(context);
    var rounds = new List<(double A, double B, double C, RunResult Api)>();
    for (var round = 1; round <= (only is null ? settings.Rounds : 0); round++)
    {
        var a = await Limits.PgbenchAsync(pgbench, cluster, settings.Clients, settings.Duration);
        var b = await LoadDriver.RunAsync("limit (b): bare endpoint insert", settings.Clients, settings.WarmUp, settings.Duration, Limits.BareOperation(bareHttp));
        var c = await LoadDriver.RunAsync("limit (c): plain Marten append", settings.Clients, settings.WarmUp, settings.Duration, MartenLimit.Operation(martenHttp, martenStreams));
        await schedule.SeedAsync(settings.Clients);
        var last = round == settings.Rounds;
        if (last)
        {
            await Sql(apiDatabase, "SELECT pg_stat_statements_reset()");
        }

        Console.WriteLine($"  round {round}: scenario 1 running");
        var run = await LoadDriver.RunAsync(schedule.Name, settings.Clients, settings.WarmUp, settings.Duration, schedule.RunOnceAsync);
        rounds.Add((a.Throughput, b.Throughput, c.Throughput, run));
        Console.WriteLine($"  round {round}: (a) {a.Throughput:0} tps, (b) {b.Throughput:0} req/s, (c) {c.Throughput:0} req/s, API {run.Throughput:0} req/s, p99 {run.P99:0.0} ms");
        if (last)
        {
            rows.Add((a, double.NaN));
            rows.Add((b, double.NaN));
            rows.Add((c, double.NaN));
            await PrintTopStatementsAsync(apiDatabase);
        }
    }

    // Scenarios 13–16 ask the CMO's questions of one large outcome in a store of settings.StoreEvents events.
    var statusOutcome = new StatusOutcome(context, apiDatabase, settings.StoreEvents);
    IScenario[] statusScenarios = [new OutcomeStatusScenario(context, statusOutcome), new PortfolioScenario(context), new AsOfScenario(context, statusOutcome)];
    const int watchers = 200;
    var writes = quick ? 20 : 60;
    if (only is not null)
    {
        var chosen = only.Split(',');
        foreach (var scenario in Catalogue.Others(context, quick).Concat(statusScenarios).Where(s => chosen.Any(prefix => s.Name.StartsWith(prefix + " ", StringComparison.Ordinal))))
        {
            await scenario.SeedAsync(settings.Clients);
            var result = await LoadDriver.RunAsync(scenario.Name, settings.Clients, settings.WarmUp, settings.Duration, scenario.RunOnceAsync);
            Console.WriteLine($"{result.Name}: {result.Throughput:0} req/s, p50 {result.P50:0.0} ms, p95 {result.P95:0.0} ms, p99 {result.P99:0.0} ms, {result.Errors} errors");
        }

        if (chosen.Contains("16"))
        {
            var live = await LiveStatusBenchmark.RunAsync(context, statusOutcome, watchers, writes);
            Console.WriteLine($"{live.Name}: {live.Operations} events, p50 {live.P50:0.0} ms, p95 {live.P95:0.0} ms, p99 {live.P99:0.0} ms, {live.Errors} missed");
        }
    }
    else
    {
        var median = rounds.OrderBy(r => r.Api.Throughput).ElementAt(rounds.Count / 2).Api;
        rows.Add((median, api.RssMegabytes));
        var ratioB = Median(rounds.Select(r => r.Api.Throughput / r.B));
        var ratioA = Median(rounds.Select(r => r.Api.Throughput / r.A));
        var ratioC = Median(rounds.Select(r => r.Api.Throughput / r.C));

        // The limits of the other scenarios, each run just before the scenarios it bounds: (b-batch) before 11, (b-read) before 13 and 15.
        var limits = new Dictionary<string, RunResult>();
        foreach (var scenario in Catalogue.Others(context, quick))
        {
            if (scenario.Name.StartsWith("11 ", StringComparison.Ordinal))
            {
                limits["b-batch"] = await LoadDriver.RunAsync($"limit (b-batch): bare endpoint, COPY {Limits.BatchRows:N0} rows", settings.Clients, settings.WarmUp, settings.Duration, Limits.BareBatchOperation(bareHttp));
                rows.Add((limits["b-batch"], double.NaN));
            }

            await scenario.SeedAsync(settings.Clients);
            var result = await LoadDriver.RunAsync(scenario.Name, settings.Clients, settings.WarmUp, settings.Duration, scenario.RunOnceAsync);
            rows.Add((result, api.RssMegabytes));
        }

        var before = await EventSeeder.CountAsync(apiDatabase);
        var clock = Stopwatch.StartNew();
        await EventSeeder.SeedAsync(apiDatabase, context.OutcomeId, settings.StoreEvents - before);
        Console.WriteLine($"  seeded {settings.StoreEvents - before:N0} events in {clock.Elapsed.TotalSeconds:0.0} s ({await EventSeeder.CountAsync(apiDatabase):N0} in the store)");
        await EventSeeder.WaitForDaemonAsync(apiDatabase, TimeSpan.FromSeconds(60));
        var large = new GetPlanScenario(context, $"5 = 3 with {settings.StoreEvents:N0} events stored");
        await large.SeedAsync(settings.Clients);
        rows.Add((await LoadDriver.RunAsync(large.Name, settings.Clients, settings.WarmUp, settings.Duration, large.RunOnceAsync), api.RssMegabytes));
        await Limits.SeedBareReadsAsync(bareHttp);
        limits["b-read"] = await LoadDriver.RunAsync("limit (b-read): bare endpoint, one jsonb row by id", settings.Clients, settings.WarmUp, settings.Duration, Limits.BareReadOperation(bareHttp));
        rows.Add((limits["b-read"], double.NaN));
        foreach (var scenario in statusScenarios)
        {
            await scenario.SeedAsync(settings.Clients);
            rows.Add((await LoadDriver.RunAsync(scenario.Name, settings.Clients, settings.WarmUp, settings.Duration, scenario.RunOnceAsync), api.RssMegabytes));
        }

        rows.Add((await LiveStatusBenchmark.RunAsync(context, statusOutcome, watchers, writes), api.RssMegabytes));
        var peak = api.PeakRssMegabytes;

        // Scenario 6: cold start to ready, three times, on the now-full store.
        var starts = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            await api.DisposeAsync();
            TimeSpan startUp;
            (api, startUp) = await ChildProcess.StartAsync(apiDll, "", apiEnvironment, "health/ready");
            starts.Add(startUp.TotalSeconds);
        }

        Report.Print(rows, ratioA, ratioB, ratioC, peak, starts);
        Report.PrintLimitRatios(rows, limits);
    }
}
finally
{
    await api.DisposeAsync();
    if (bare is not null)
    {
        await bare.DisposeAsync();
    }

    if (marten is not null)
    {
        await marten.DisposeAsync();
    }

    // Every way out (--events returns early) leaves no cluster behind.
    await cluster.DisposeAsync();
    Directory.Delete(dataDirectory, recursive: true);
    File.Delete(LocalPostgres.PasswordFile(dataDirectory));
}

return 0;


static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

static async Task Sql(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

static async Task PrintTopStatementsAsync(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(
        """
        SELECT calls, round(total_exec_time::numeric, 0), round(mean_exec_time::numeric, 3), left(regexp_replace(query, '\s+', ' ', 'g'), 90)
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC LIMIT 8
        """, connection);
    await using var reader = await command.ExecuteReaderAsync();
    Console.WriteLine("  where PostgreSQL spent its time in scenario 1 (pg_stat_statements, top 8 by total time):");
    Console.WriteLine($"  {"calls",9} {"total ms",9} {"mean ms",8}  statement");
    while (await reader.ReadAsync())
    {
        Console.WriteLine($"  {reader.GetInt64(0),9} {reader.GetDecimal(1),9} {reader.GetDecimal(2),8}  {reader.GetString(3)}");
    }
}

static async Task RunAsync(string file, string arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false })!;
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}).");
    }
}

static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "OrchestraApi.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Run the benchmarks from inside the repository.");
}

internal sealed record Settings(int Clients, TimeSpan WarmUp, TimeSpan Duration, int Rounds, long StoreEvents);
