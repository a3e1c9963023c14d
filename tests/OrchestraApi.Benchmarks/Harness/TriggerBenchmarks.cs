using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using OrchestraApi.Benchmarks.Scenarios;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>
/// The triggers' scenarios (issue 22), run with <c>--triggers</c>: T1 scenario 1 without triggers, then with 200 enabled
/// triggers on its outcome (one a probe: a KPI crossing that an observation every 300 ms makes true and false in turn),
/// measuring observation → firing on the feed (read live over SSE) and what the triggers cost scenario 1; T2 dry runs
/// over the last 90 days of that outcome (a KPI condition and a schedule condition); T3 the organisation's maturity
/// (one ordered fold of its whole history, with the 12-month trend).
/// </summary>
internal static class TriggerBenchmarks
{
    private const int Triggers = 200;

    public static async Task<IReadOnlyList<RunResult>> RunAsync(BenchmarkContext context, Settings settings)
    {
        var results = new List<RunResult>();
        var load = new ScheduleActivityScenario(context);
        await load.SeedAsync(settings.Clients);
        var without = await LoadDriver.RunAsync("1 schedule an activity (no trigger)", settings.Clients, settings.WarmUp, settings.Duration, load.RunOnceAsync);
        Print(without);
        results.Add(without);

        using var conductor = context.Http(context.ConductorKey);
        var triggers = new TriggersClient(conductor);
        var outcomeId = context.OutcomeId;
        var scope = new TriggerScope { OutcomeIds = [outcomeId] };
        TriggerCondition[] noise =
        [
            new() { Kind = TriggerKind.KpiProgressCrossed, Kpi = "clv", Progress = 1000 },
            new() { Kind = TriggerKind.SpendOverBudget, Level = SpendLevel.Outcome, Percent = 10_000 },
            new() { Kind = TriggerKind.ConnectionTrouble },
            new() { Kind = TriggerKind.ActivityMetric, Metric = ActivityMetricName.Roi, Direction = Direction.Below, Value = -1_000_000, MinRows = 1 },
            new() { Kind = TriggerKind.ActivityEndedWithoutResults, Days = 365 },
            new() { Kind = TriggerKind.KpiBehindPace, Points = 100 },
        ];
        var probe = await triggers.DefineTriggerAsync(new DefineTriggerRequest { Name = "Probe", Condition = new TriggerCondition { Kind = TriggerKind.KpiProgressCrossed, Kpi = "clv", Progress = 50 }, Scope = scope });
        for (var i = 1; i < Triggers; i++)
        {
            await triggers.DefineTriggerAsync(new DefineTriggerRequest { Name = $"Noise {i}", Condition = noise[i % noise.Length], Scope = scope });
        }

        // The feed, read live: each observation's commit time by position, and each probe firing's arrival.
        var events = new EventsClient(context.Http(context.AdminKey));
        var observed = new ConcurrentDictionary<long, DateTimeOffset>();
        var fired = new ConcurrentBag<(long Cause, DateTimeOffset Arrived)>();
        using var stop = new CancellationTokenSource();
        var head = (await events.ListEventsAsync(limit: 1)).Head;
        var watcher = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in events.WatchEventsAsync(after: head, types: ["orchestra.kpi_observation.recorded.v1", "orchestra.trigger.fired.v1"], cancellationToken: stop.Token))
                {
                    if (e.Type == "orchestra.kpi_observation.recorded.v1")
                    {
                        observed[e.Position] = e.Time;
                    }
                    else if (e.Payload() is EventDataOfTriggerFiringDetails { Object: { TriggerId: var id } firing } && id == probe.Id)
                    {
                        // Its cause: the latest observation among the changes it names (a KPI condition names only those it reads).
                        fired.Add((firing.Positions.Where(observed.ContainsKey).DefaultIfEmpty(-1).Max(), DateTimeOffset.UtcNow));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var results1 = new ResultsClient(conductor);
        var prober = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await results1.ObserveKpiAsync(outcomeId, "clv", new ObserveKpiRequest { Value = n % 2 == 0 ? 500m : 420m, ObservedAt = DateTimeOffset.UtcNow });
                await Task.Delay(300);
            }
        });
        var with = await LoadDriver.RunAsync($"1 schedule an activity ({Triggers} triggers on its outcome)", settings.Clients, settings.WarmUp, settings.Duration, load.RunOnceAsync);
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await Task.WhenAll(watcher, prober.ContinueWith(_ => { }, TaskScheduler.Default));
        Print(with);
        results.Add(with);
        var unattributed = fired.Count(f => !observed.ContainsKey(f.Cause));
        var listed = await triggers.ListTriggerFiringsAsync(probe.Id, limit: 100);
        Console.WriteLine($"  {observed.Count} observations and {fired.Count} probe firings read on the feed ({unattributed} naming no observation); the probe lists {listed.Items.Count} firings");
        var latencies = fired.Where(f => observed.ContainsKey(f.Cause)).Select(f => (f.Arrived - observed[f.Cause]).TotalMilliseconds).Order().ToArray();
        var firings = new RunResult($"T1 observation → firing on the feed ({Triggers} triggers, under scenario 1)", latencies.Length / settings.Duration.TotalSeconds, P(latencies, 0.5), P(latencies, 0.95), P(latencies, 0.99), 0, latencies.Length);
        Print(firings);
        results.Add(firings);
        Console.WriteLine($"  cost of {Triggers} triggers on scenario 1: {with.Throughput / without.Throughput:P0} of its throughput without them");

        // T2: dry runs over the last 90 days of the outcome scenario 1 filled.
        foreach (var (name, condition) in new (string, TriggerCondition)[]
        {
            ("a KPI condition", new TriggerCondition { Kind = TriggerKind.KpiProgressCrossed, Kpi = "clv", Progress = 50 }),
            ("a schedule condition", new TriggerCondition { Kind = TriggerKind.ActivityMetric, Metric = ActivityMetricName.Roi, Direction = Direction.Below, Value = 0, MinRows = 1 }),
        })
        {
            var times = new List<double>();
            TriggerDryRun? run = null;
            try
            {
                for (var i = 0; i < 3; i++)
                {
                    var clock = Stopwatch.StartNew();
                    run = await triggers.DryRunTriggerAsync(new DryRunTriggerRequest { Condition = condition, Scope = scope, From = DateTimeOffset.UtcNow.AddDays(-90) });
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            catch (ApiException<Problem> refused) when (refused.StatusCode == 400)
            {
                Console.WriteLine($"T2 dry run over 90 days, {name}: refused, {string.Join(" ", refused.Result.Errors?.Values.SelectMany(v => v) ?? [])}");
                continue;
            }

            times.Sort();
            Console.WriteLine($"T2 dry run over 90 days, {name}: median {times[1]:0} ms (runs {string.Join(", ", times.Select(t => t.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} ms), {run!.Moments:N0} moments, {run.Firings.Count} firings");
            results.Add(RunResult.ThroughputOnly($"T2 dry run over 90 days, {name} ({run.Moments:N0} moments)", 1000 / times[1]));
        }

        // T3: the organisation's maturity, now and its 12-month trend: one fold of everything scenario 1 wrote.
        using var admin = context.Http(context.AdminKey);
        var maturity = new MaturityClient(admin);
        var answers = new List<double>();
        MaturityReport? report = null;
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            report = await maturity.GetMaturityAsync();
            answers.Add(clock.Elapsed.TotalMilliseconds);
        }

        answers.Sort();
        Console.WriteLine($"T3 maturity of the organisation (stage {report!.Stage}): median {answers[1]:0} ms (runs {string.Join(", ", answers.Select(t => t.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} ms)");
        results.Add(RunResult.ThroughputOnly("T3 maturity with its 12-month trend", 1000 / answers[1]));
        return results;
    }

    private static void Print(RunResult r) =>
        Console.WriteLine($"{r.Name}: {r.Throughput:0}/s, p50 {r.P50:0.0} ms, p95 {r.P95:0.0} ms, p99 {r.P99:0.0} ms, {r.Errors} errors");

    private static double P(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
}
