using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Npgsql;
using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>
/// The outcome the CMO's questions are asked of: 4 plans × 250 activities, 50 dependencies, 10,000 result rows and
/// three reschedules per activity (about 5,000 events of its own), in a store filled to the run's event count.
/// </summary>
public sealed class StatusOutcome(BenchmarkContext context, string database, long storeEvents)
{
    private readonly Lock _gate = new();
    private Task? _seeding;

    public Guid OutcomeId { get; private set; }

    public IReadOnlyList<(Guid PlanId, Guid ActivityId, Discipline Discipline)> Activities { get; private set; } = [];

    public long OwnEvents { get; private set; }

    /// <summary>The moment as-of reads: after the results, before the reschedules (every activity has moved since).</summary>
    public DateTimeOffset Before { get; private set; }

    public Task EnsureAsync()
    {
        lock (_gate)
        {
            return _seeding ??= SeedAsync();
        }
    }

    private async Task SeedAsync()
    {
        var connected = new ConnectedOutcome(context, 50);
        await connected.EnsureAsync();
        (OutcomeId, Activities) = (connected.OutcomeId, connected.Activities);
        var results = new ResultsClient(context.Http(context.OrchestratorKey));
        var ids = Activities.Select(a => a.ActivityId).ToList();
        for (var recorded = 0; recorded < 10_000; recorded += 1_000)
        {
            await results.RecordResultsAsync(OutcomeId, ResultRows.Batch(ids, 1_000));
        }

        await Task.Delay(100);
        Before = DateTimeOffset.UtcNow;
        await Task.Delay(100);
        var plans = context.Plans();
        await Parallel.ForEachAsync(Activities, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (a, ct) =>
        {
            var activity = await plans.GetActivityAsync(a.PlanId, a.ActivityId, cancellationToken: ct);
            for (var i = 0; i < 3; i++)
            {
                var shift = i % 2 == 0 ? 1 : -1;
                activity = await plans.RescheduleActivityAsync(a.PlanId, a.ActivityId, activity.Version, new RescheduleActivityRequest
                {
                    StartsOn = activity.StartsOn.AddDays(shift), EndsOn = activity.EndsOn.AddDays(shift),
                }, cancellationToken: ct);
            }
        });

        // The outcome's streams: its own, its plans' and activities', and its connection graph and results (found by their snapshots).
        var streams = new List<Guid> { OutcomeId };
        streams.AddRange(Activities.Select(a => a.ActivityId));
        streams.AddRange(Activities.Select(a => a.PlanId).Distinct());
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            """
            SELECT count(*) FROM mt_events WHERE stream_id = ANY($1)
               OR stream_id IN (SELECT id FROM mt_doc_connectiongraph WHERE coalesce(data->>'OutcomeId', data->>'outcomeId') = $2)
               OR stream_id IN (SELECT id FROM mt_doc_outcomeresults WHERE coalesce(data->>'OutcomeId', data->>'outcomeId') = $2)
            """, connection) { Parameters = { new() { Value = streams.ToArray() }, new() { Value = OutcomeId.ToString() } } };
        OwnEvents = (long)(await count.ExecuteScalarAsync())!;

        var inStore = await EventSeeder.CountAsync(database);
        if (inStore < storeEvents)
        {
            await EventSeeder.SeedAsync(database, context.OutcomeId, storeEvents - inStore);
        }

        Console.WriteLine($"  status outcome: {Activities.Count} activities, 50 dependencies, 10,000 result rows, {OwnEvents:N0} events of its own; {await EventSeeder.CountAsync(database):N0} events in the store");
    }
}

/// <summary>Scenario 13: a CMO reads an outcome's status (the whole cross-discipline picture and its RAG).</summary>
public sealed class OutcomeStatusScenario(BenchmarkContext context, StatusOutcome outcome) : IScenario
{
    private HttpClient _http = null!;

    public string Name => "13 outcome status (1,000 activities, 1M events)";

    public async Task SeedAsync(int clients)
    {
        await outcome.EnsureAsync();
        _http = context.Http(context.ConductorKey);
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri($"outcomes/{outcome.OutcomeId}/status", UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
        return response.IsSuccessStatusCode;
    }
}

/// <summary>Scenario 14: a page of 50 of the organisation's portfolio, worst first (the benchmark's organisation holds every outcome the run defined).</summary>
public sealed class PortfolioScenario(BenchmarkContext context) : IScenario
{
    private HttpClient _http = null!;
    private int _outcomes;

    public string Name => $"14 portfolio page of 50 ({_outcomes:N0} outcomes)";

    public async Task SeedAsync(int clients)
    {
        _http = context.Http(context.ConductorKey);
        var status = new StatusClient(_http);
        await foreach (var _ in status.GetAllPortfolioAsync())
        {
            _outcomes++;
        }
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        // Alternate the first page and a filtered one, so neither is a single cached answer.
        var query = client % 2 == 0 ? "limit=50" : "limit=50&state=Active&order=EndingFirst";
        using var response = await _http.GetAsync(new Uri($"portfolio?{query}", UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
        return response.IsSuccessStatusCode;
    }
}

/// <summary>Scenario 15: the status of that outcome as of a past moment, folded from its ~5,000 events.</summary>
public sealed class AsOfScenario(BenchmarkContext context, StatusOutcome outcome) : IScenario
{
    private HttpClient _http = null!;

    public string Name => $"15 status as of (outcome of {outcome.OwnEvents:N0} events, 1,000 streams moved since)";

    public async Task SeedAsync(int clients)
    {
        await outcome.EnsureAsync();
        _http = context.Http(context.ConductorKey);
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        var asOf = Uri.EscapeDataString(outcome.Before.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _http.GetAsync(new Uri($"outcomes/{outcome.OutcomeId}/status?asOf={asOf}", UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
        return response.IsSuccessStatusCode;
    }
}

/// <summary>
/// Scenario 16: 200 clients watch the outcome's live status; a writer reschedules one of its activities, one change at
/// a time, and each client's delay from the write being sent to its event arriving is one sample.
/// </summary>
public static class LiveStatusBenchmark
{
    public static async Task<RunResult> RunAsync(BenchmarkContext context, StatusOutcome outcome, int watchers, int writes)
    {
        await outcome.EnsureAsync();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = watchers + 16, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        var arrivals = Enumerable.Range(0, watchers).Select(_ => new System.Collections.Concurrent.BlockingCollection<long>()).ToArray();
        var opened = new CountdownEvent(watchers);
        var readers = Enumerable.Range(0, watchers).Select(i => Task.Run(async () =>
        {
            using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = context.Api, Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.Add("X-Api-Key", context.ConductorKey);
            http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await http.GetAsync(new Uri($"outcomes/{outcome.OutcomeId}/status/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop.Token);
            response.EnsureSuccessStatusCode();
            var first = true;
            try
            {
                await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(stop.Token)).EnumerateAsync(stop.Token))
                {
                    if (first)
                    {
                        first = false;
                        opened.Signal();
                        continue;
                    }

                    using var data = JsonDocument.Parse(item.Data);
                    if (data.RootElement.GetProperty("changes").EnumerateArray().Any(c => c.GetProperty("kind").GetString() == "ActivityMoved"))
                    {
                        arrivals[i].Add(Stopwatch.GetTimestamp());
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();
        if (!opened.Wait(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"Only {watchers - opened.CurrentCount} of {watchers} streams opened within a minute.");
        }

        var plans = context.Plans();
        var (planId, activityId, _) = outcome.Activities[0];
        var activity = await plans.GetActivityAsync(planId, activityId);
        var latencies = new List<double>(watchers * writes);
        var missed = 0L;
        var clock = Stopwatch.StartNew();
        for (var w = 0; w < writes; w++)
        {
            var shift = w % 2 == 0 ? 1 : -1;
            var sent = Stopwatch.GetTimestamp();
            activity = await plans.RescheduleActivityAsync(planId, activityId, activity.Version, new RescheduleActivityRequest { StartsOn = activity.StartsOn.AddDays(shift), EndsOn = activity.EndsOn.AddDays(shift) });
            foreach (var queue in arrivals)
            {
                if (queue.TryTake(out var arrived, TimeSpan.FromSeconds(5)))
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
                }
                else
                {
                    missed++;
                }
            }
        }

        var elapsed = clock.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        latencies.Sort();
        double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        return new RunResult($"16 live status, {watchers} watchers (write → event)", writes / elapsed.TotalSeconds, P(0.50), P(0.95), P(0.99), missed, latencies.Count);
    }
}
