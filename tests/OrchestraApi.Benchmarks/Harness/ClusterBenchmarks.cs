using System.Diagnostics;
using OrchestraApi.Benchmarks.Scenarios;
using OrchestraApi.Cluster;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>
/// The API as a cluster behind haproxy (README, Deployment): <c>--nodes 1,2,3</c> measures scenarios 1 and 13 through
/// the proxy with each process's CPU; <c>--soak MINUTES</c> runs mixed traffic at half the measured peak and prints
/// every minute's requests, errors, p99 and each node's RSS.
/// </summary>
internal static class ClusterBenchmarks
{
    public static async Task RunNodesAsync(IReadOnlyList<int> counts, Settings settings)
    {
        Console.WriteLine("Through haproxy: scenario 1 (schedule an activity) and 13 (status of a 1,000-activity outcome); CPU as % of one core over the measured window");
        foreach (var count in counts)
        {
            await using var cluster = await LoopbackCluster.StartAsync(count, durable: true, BenchmarkContext.RaisedRateLimits);
            using var context = await BenchmarkContext.CreateAsync(cluster.Proxy.Address, LoopbackCluster.BootstrapKey);
            var status = new StatusOutcome(context, cluster.ConnectionString, 0);
            IScenario[] scenarios = [new ScheduleActivityScenario(context), new OutcomeStatusScenario(context, status)];
            foreach (var scenario in scenarios)
            {
                await scenario.SeedAsync(settings.Clients);
                var before = CpuTimes(cluster);
                var clock = Stopwatch.StartNew();
                var result = await LoadDriver.RunAsync(scenario.Name, settings.Clients, settings.WarmUp, settings.Duration, scenario.RunOnceAsync);
                var window = clock.Elapsed;
                var after = CpuTimes(cluster);
                var cpu = string.Join(", ", after.Select(a => $"{a.Key} {100 * (a.Value - before[a.Key]).TotalSeconds / window.TotalSeconds:0}%"));
                Console.WriteLine($"{count} node(s), {scenario.Name.Split(' ')[0]}: {result.Throughput:0} req/s, p99 {result.P99:0.0} ms, {result.Errors} errors; CPU {cpu}");
            }
        }
    }

    public static async Task RunSoakAsync(int minutes, Settings settings)
    {
        await using var cluster = await LoopbackCluster.StartAsync(3, durable: true, BenchmarkContext.RaisedRateLimits);
        using var context = await BenchmarkContext.CreateAsync(cluster.Proxy.Address, LoopbackCluster.BootstrapKey);
        var schedule = new ScheduleActivityScenario(context);
        var status = new OutcomeStatusScenario(context, new StatusOutcome(context, cluster.ConnectionString, 0));
        await schedule.SeedAsync(settings.Clients);
        await status.SeedAsync(settings.Clients);

        // Mixed traffic: every other request a write (scenario 1), the others a read (scenario 13).
        Task<bool> MixedAsync(int client, long n, CancellationToken ct) => n % 2 == 0 ? schedule.RunOnceAsync(client, ct) : status.RunOnceAsync(client, ct);
        var sequence = 0L;
        var peak = await LoadDriver.RunAsync("mixed peak", settings.Clients, settings.WarmUp, TimeSpan.FromSeconds(15), (c, ct) => MixedAsync(c, Interlocked.Increment(ref sequence), ct));
        var rate = peak.Throughput / 2;
        Console.WriteLine($"3 nodes behind haproxy, mixed peak {peak.Throughput:0} req/s (p99 {peak.P99:0.0} ms); soaking {minutes} min at {rate:0} req/s");
        Console.WriteLine($"{"minute",6} {"requests",9} {"errors",7} {"p99 ms",8}  RSS MB per node");

        var interval = TimeSpan.FromSeconds(settings.Clients / rate);
        var minute = new Minute();
        using var stop = new CancellationTokenSource();
        var started = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, settings.Clients).Select(client => Task.Run(async () =>
        {
            // Open loop: each client starts a request every interval (offset per client), whatever the last one took.
            var next = TimeSpan.FromTicks(interval.Ticks * client / settings.Clients);
            for (var n = (long)client; !stop.IsCancellationRequested; n++)
            {
                var wait = next - started.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, CancellationToken.None);
                }

                next += interval;
                var clock = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await MixedAsync(client, n, CancellationToken.None);
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                minute.Add(Stopwatch.GetElapsedTime(clock).TotalMilliseconds, ok);
            }
        })).ToArray();

        for (var m = 1; m <= minutes; m++)
        {
            await Task.Delay(TimeSpan.FromMinutes(m) - started.Elapsed);
            var (requests, errors, p99) = minute.Take();
            var rss = string.Join(", ", cluster.Nodes.Select(node => $"{node.Name} {node.RssMegabytes:0}"));
            Console.WriteLine($"{m,6} {requests,9} {errors,7} {p99,8:0.0}  {rss}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);
    }

    private static Dictionary<string, TimeSpan> CpuTimes(LoopbackCluster cluster)
    {
        var times = cluster.Nodes.ToDictionary(n => n.Name, n => n.CpuTime);
        times["haproxy"] = cluster.Proxy.CpuTime;
        times["PostgreSQL"] = ProcFs.CpuTimeWithChildren(cluster.PostgresProcessId);
        times["load driver"] = Process.GetCurrentProcess().TotalProcessorTime;
        return times;
    }

    /// <summary>One minute's latencies and errors, taken and reset each minute.</summary>
    private sealed class Minute
    {
        private readonly Lock _gate = new();
        private List<double> _latencies = [];
        private long _errors;

        public void Add(double milliseconds, bool ok)
        {
            lock (_gate)
            {
                _latencies.Add(milliseconds);
                _errors += ok ? 0 : 1;
            }
        }

        public (int Requests, long Errors, double P99) Take()
        {
            List<double> latencies;
            long errors;
            lock (_gate)
            {
                (latencies, errors) = (_latencies, _errors);
                (_latencies, _errors) = ([], 0);
            }

            latencies.Sort();
            var p99 = latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(0.99 * latencies.Count) - 1)];
            return (latencies.Count, errors, p99);
        }
    }
}
