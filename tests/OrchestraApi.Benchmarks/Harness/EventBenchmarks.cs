using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrchestraApi.Benchmarks.Scenarios;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>
/// The event-driven scenarios (issue 21), run with <c>--events</c>: E1 a feed page read at a million entries (1 and 16
/// clients), E2 write → webhook received by a loopback receiver while scenario 1 runs, E3 deliveries a second to a
/// fast receiver (10,000 events over 1,000 outcomes). Receivers run in processes of their own.
/// </summary>
internal static class EventBenchmarks
{
    public static async Task<IReadOnlyList<RunResult>> RunAsync(BenchmarkContext context, string apiDatabase, Settings settings)
    {
        var results = new List<RunResult>();
        var events = new EventsClient(context.Http(context.AdminKey));
        var webhooks = new WebhooksClient(context.Http(context.AdminKey));

        // E1: the feed holds settings.StoreEvents entries (copies of a real one), then pages of 100 from random positions.
        using (var conductor = context.Http(context.ConductorKey))
        {
            await new OutcomesClient(conductor).DefineOutcomeAsync(DefineOutcomeScenario.Request);
        }

        var head = await HeadAsync(events, 1);
        var clock = Stopwatch.StartNew();
        var top = await SeedFeedAsync(apiDatabase, context.OrganisationId, settings.StoreEvents);
        Console.WriteLine($"  seeded {top - head:N0} feed entries in {clock.Elapsed.TotalSeconds:0.0} s (head {top:N0})");
        foreach (var clients in new[] { 1, settings.Clients })
        {
            results.Add(await LoadDriver.RunAsync($"E1 feed page of 100 at {top:N0} events, {clients} client(s)", clients, settings.WarmUp, settings.Duration, async (_, ct) =>
            {
                var page = await events.ListEventsAsync(after: Random.Shared.NextInt64(head, top - 100), limit: 100, cancellationToken: ct);
                return page.Items.Count == 100;
            }));
            Print(results[^1]);
        }

        // E2: every activity scenario 1 schedules goes to a receiver on loopback; latency = received − the event's commit time.
        // Once to an endpoint that takes one event a request, once to one that takes batches of up to 100.
        var load = new ScheduleActivityScenario(context);
        await load.SeedAsync(settings.Clients);
        foreach (var maxBatch in new[] { 1, 100 })
        {
            results.AddRange(await WriteToWebhookAsync(context, settings, events, webhooks, load, maxBatch));
        }

        // E3: 10,000 seeded events (1,000 outcomes) replayed to a fast receiver: deliveries a second until the last arrives.
        await using var fast = await Receiver.StartAsync();
        var sink = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = fast.Url, Types = ["orchestra.outcome.defined.v1"] });
        clock.Restart();
        var replay = await webhooks.ReplayWebhookEventsAsync(sink.Id, new ReplayWebhookEventsRequest { After = top - ReplayedEvents });
        var delivered = 0;
        while ((delivered = await fast.CountAsync()) < replay.Queued && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(20);
        }

        results.Add(RunResult.ThroughputOnly($"E3 deliveries to a fast receiver ({replay.Queued:N0} events, 1,000 outcomes)", delivered / clock.Elapsed.TotalSeconds));
        Console.WriteLine($"{results[^1].Name}: {results[^1].Throughput:0} deliveries/s ({delivered:N0} in {clock.Elapsed.TotalSeconds:0.0} s)");
        return results;
    }

    /// <summary>E2 and E2a: scenario 1 while a receiver gets every activity it schedules (and an SSE reader reads the feed).</summary>
    private static async Task<IReadOnlyList<RunResult>> WriteToWebhookAsync(
        BenchmarkContext context, Settings settings, EventsClient events, WebhooksClient webhooks, ScheduleActivityScenario load, int maxBatch)
    {
        await using var receiver = await Receiver.StartAsync();
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = receiver.Url, Types = ["orchestra.activity.scheduled.v1"], MaxBatch = maxBatch });
        // The feed itself, read live beside the webhooks: how much of the latency is the numbering's.
        using var stopWatching = new CancellationTokenSource();
        var watched = new ConcurrentBag<(DateTimeOffset Time, DateTimeOffset At)>();
        var watcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in events.WatchEventsAsync(after: await HeadAsync(events, 1), types: ["orchestra.activity.scheduled.v1"], cancellationToken: stopWatching.Token))
                {
                    watched.Add((e.Time, DateTimeOffset.UtcNow));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var started = DateTimeOffset.UtcNow + settings.WarmUp;
        var run = await LoadDriver.RunAsync($"1 schedule an activity (with a webhook endpoint, maxBatch {maxBatch})", settings.Clients, settings.WarmUp, settings.Duration, load.RunOnceAsync);
        var ended = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stopWatching.CancelAsync();
        await watcher;
        var latencies = (await receiver.ReceivedAsync()).Where(r => r.Time >= started && r.Time <= ended).Select(r => (r.At - r.Time).TotalMilliseconds).Order().ToArray();
        var feedLatencies = watched.Where(r => r.Time >= started && r.Time <= ended).Select(r => (r.At - r.Time).TotalMilliseconds).Order().ToArray();
        RunResult[] results =
        [
            run,
            new RunResult("E2a write → feed (SSE), same run", feedLatencies.Length / (ended - started).TotalSeconds, P(feedLatencies, 0.50), P(feedLatencies, 0.95), P(feedLatencies, 0.99), 0, feedLatencies.Length),
            new RunResult(
                $"E2 write → webhook received (maxBatch {maxBatch}), under scenario 1 ({settings.Clients} clients)", latencies.Length / (ended - started).TotalSeconds,
                P(latencies, 0.50), P(latencies, 0.95), P(latencies, 0.99), Math.Max(0, run.Operations - latencies.Length), latencies.Length),
        ];
        foreach (var result in results)
        {
            Print(result);
        }

        await webhooks.ReviseWebhookEndpointAsync(endpoint.Id, endpoint.Version, new ReviseWebhookEndpointRequest { Enabled = false });
        return results;
    }

    private const int ReplayedEvents = 10_000;

    /// <summary>The receiver's process (<c>receiver-server</c>).</summary>
    public static Task RunReceiverAsync(string[] args) => Receiver.RunServerAsync(args);

    private static void Print(RunResult r) =>
        Console.WriteLine($"{r.Name}: {r.Throughput:0}/s, p50 {r.P50:0.0} ms, p95 {r.P95:0.0} ms, p99 {r.P99:0.0} ms, {r.Errors} errors");

    private static double P(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

    /// <summary>The feed's head once it reached at least <paramref name="atLeast"/>.</summary>
    private static async Task<long> HeadAsync(EventsClient events, long atLeast)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var head = (await events.ListEventsAsync(limit: 1)).Head;
            if (head >= atLeast || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                return head;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Copies the organisation's newest outcome.defined entry after the head, <paramref name="entries"/> times, each with
    /// its own event id and one of 1,000 outcomes, and moves the head past them: a feed of that size in seconds.
    /// </summary>
    private static async Task<long> SeedFeedAsync(string connectionString, Guid organisation, long entries)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tenant = organisation.ToString();
        var columns = new List<string>();
        await using (var read = new NpgsqlCommand("SELECT column_name FROM information_schema.columns WHERE table_name = 'mt_doc_feedentry' ORDER BY ordinal_position", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add(reader.GetString(0));
            }
        }

        await using var transaction = await connection.BeginTransactionAsync();
        await using (var head = new NpgsqlCommand("SELECT (data ->> 'position')::bigint FROM mt_doc_feedhead WHERE tenant_id = $1", connection, transaction))
        {
            head.Parameters.AddWithValue(tenant);
            var from = (long)(await head.ExecuteScalarAsync())!;
            string Column(string c) => c switch
            {
                "id" => "$3::bigint + s",
                "outcome_id" => "o.outcome",
                "data" => "jsonb_set(jsonb_set(jsonb_set(t.data, '{id}', to_jsonb($3::bigint + s)), '{eventId}', to_jsonb(gen_random_uuid()::text)), '{outcomeId}', to_jsonb(o.outcome::text))",
                "mt_version" => "gen_random_uuid()",
                _ => $"t.\"{c}\"",
            };
            var insert = $"""
                INSERT INTO mt_doc_feedentry ({string.Join(", ", columns.Select(c => $"\"{c}\""))})
                SELECT {string.Join(", ", columns.Select(Column))}
                FROM (SELECT * FROM mt_doc_feedentry WHERE tenant_id = $1 AND data ->> 'type' = 'orchestra.outcome.defined.v1' ORDER BY id DESC LIMIT 1) t
                CROSS JOIN generate_series(1, $2::bigint) s
                JOIN bench_outcomes o ON o.n = s % 1000
                """;
            // 1,000 outcomes: each row's outcome is one of a fixed set, chosen by its position.
            await using (var outcomes = new NpgsqlCommand("CREATE TEMP TABLE bench_outcomes ON COMMIT DROP AS SELECT n, gen_random_uuid() AS outcome FROM generate_series(0, 999) n", connection, transaction))
            {
                await outcomes.ExecuteNonQueryAsync();
            }

            await using (var copy = new NpgsqlCommand(insert, connection, transaction) { CommandTimeout = 600 })
            {
                copy.Parameters.AddWithValue(tenant);
                copy.Parameters.AddWithValue(entries);
                copy.Parameters.AddWithValue(from);
                await copy.ExecuteNonQueryAsync();
            }

            await using var move = new NpgsqlCommand("UPDATE mt_doc_feedhead SET data = jsonb_set(data, '{position}', to_jsonb($2::bigint)) WHERE tenant_id = $1", connection, transaction);
            move.Parameters.AddWithValue(tenant);
            move.Parameters.AddWithValue(from + entries);
            await move.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
            await using var analyze = new NpgsqlCommand("ANALYZE mt_doc_feedentry", connection);
            await analyze.ExecuteNonQueryAsync();
            return from + entries;
        }
    }

    /// <summary>
    /// A webhook receiver on loopback in a process of its own (as a real receiver would be: not sharing the load driver's
    /// threads): answers 200 at once, notes when each event arrived, and tells on <c>GET /received</c>.
    /// </summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly ChildProcess _process;
        private readonly HttpClient _http;

        private Receiver(ChildProcess process)
        {
            _process = process;
            _http = new HttpClient { BaseAddress = process.Address };
        }

        public string Url => new Uri(_process.Address, "hooks").ToString();

        public static async Task<Receiver> StartAsync()
        {
            var (process, _) = await ChildProcess.StartAsync(typeof(EventBenchmarks).Assembly.Location, "receiver-server", new Dictionary<string, string>(), "ready");
            return new Receiver(process);
        }

        /// <summary>Each event received so far: its commit time and when it arrived.</summary>
        public async Task<IReadOnlyList<(DateTimeOffset Time, DateTimeOffset At)>> ReceivedAsync() =>
            [.. (await _http.GetFromJsonAsync<DateTimeOffset[][]>("received"))!.Select(r => (r[0], r[1]))];

        public async Task<int> CountAsync() => int.Parse(await _http.GetStringAsync("count"), System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The receiver's own process: <c>receiver-server</c>.</summary>
        public static async Task RunServerAsync(string[] args)
        {
            var builder = WebApplication.CreateSlimBuilder(args);
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var received = new ConcurrentQueue<DateTimeOffset[]>();
            app.MapGet("/ready", () => Results.Ok());
            app.MapGet("/count", () => received.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            app.MapGet("/received", () => received.ToArray());
            app.MapPost("/hooks", async (HttpContext http) =>
            {
                var at = DateTimeOffset.UtcNow;
                using var body = await JsonDocument.ParseAsync(http.Request.Body);
                // One CloudEvent, or a batch of them (an endpoint with maxBatch above 1).
                foreach (var e in body.RootElement.ValueKind == JsonValueKind.Array ? [.. body.RootElement.EnumerateArray()] : new[] { body.RootElement })
                {
                    received.Enqueue([e.GetProperty("time").GetDateTimeOffset(), at]);
                }
                return Results.Ok();
            });
            await app.RunAsync();
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _process.DisposeAsync();
        }
    }
}
