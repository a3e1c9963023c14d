using System.Diagnostics;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>What one timed run measured.</summary>
public sealed record RunResult(string Name, double Throughput, double P50, double P95, double P99, long Errors, long Operations)
{
    public static RunResult ThroughputOnly(string name, double throughput) => new(name, throughput, double.NaN, double.NaN, double.NaN, 0, 0);
}

/// <summary>Drives N concurrent clients for a fixed time: a warm-up that is not counted, then the measured window.</summary>
public static class LoadDriver
{
    /// <summary>
    /// Runs <paramref name="operation"/> in <paramref name="clients"/> loops. The operation gets its client index and
    /// returns false for an error (a non-success status); it is never retried.
    /// </summary>
    public static async Task<RunResult> RunAsync(string name, int clients, TimeSpan warmUp, TimeSpan duration, Func<int, CancellationToken, Task<bool>> operation)
    {
        var measuring = false;
        using var stop = new CancellationTokenSource();
        var latencies = Enumerable.Range(0, clients).Select(_ => new List<double>(100_000)).ToArray();
        var errors = new long[clients];
        var workers = Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await operation(i, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                if (!Volatile.Read(ref measuring))
                {
                    continue;
                }

                latencies[i].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!ok)
                {
                    errors[i]++;
                }
            }
        })).ToArray();

        await Task.Delay(warmUp);
        var window = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        var elapsed = window.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new RunResult(name, all.Length / elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99), errors.Sum(), all.Length);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
