using System.Globalization;

namespace OrchestraApi.Benchmarks.Harness;

public static class Report
{
    public static void Print(IReadOnlyList<(RunResult Result, double RssMb)> rows, double ratioA, double ratioB, double ratioC, double peakRssMb, IReadOnlyList<double> coldStarts)
    {
        Console.WriteLine();
        Console.WriteLine($"{"scenario",-44} {"req/s",8} {"p50 ms",7} {"p95 ms",7} {"p99 ms",7} {"errors",7} {"API RSS MB",10}");
        Console.WriteLine(new string('-', 96));
        foreach (var (r, rss) in rows)
        {
            Console.WriteLine($"{r.Name,-44} {r.Throughput,8:0} {F(r.P50),7} {F(r.P95),7} {F(r.P99),7} {(double.IsNaN(r.P50) ? "" : r.Errors.ToString(CultureInfo.InvariantCulture)),7} {(double.IsNaN(rss) ? "" : rss.ToString("0", CultureInfo.InvariantCulture)),10}");
        }

        var sorted = coldStarts.Order().ToArray();
        Console.WriteLine($"{"6 cold start to ready (median of 3)",-44} {"",8} {sorted[sorted.Length / 2] * 1000,7:0} ms  (runs: {string.Join(", ", coldStarts.Select(s => $"{s * 1000:0} ms"))})");
        Console.WriteLine();
        Console.WriteLine($"Scenario 1 ratios, median of interleaved rounds: API / (b) bare endpoint = {ratioB:0.00}, API / (a) pgbench = {ratioA:0.00}, API / (c) plain Marten = {ratioC:0.00}");
        Console.WriteLine($"API peak RSS (VmHWM) over the run: {peakRssMb:0} MB");
    }

    /// <summary>Each scenario against the limit of its kind, measured in the same run: 11 in rows/s against (b-batch), 13 and 15 against (b-read).</summary>
    public static void PrintLimitRatios(IReadOnlyList<(RunResult Result, double RssMb)> rows, IReadOnlyDictionary<string, RunResult> limits)
    {
        foreach (var (prefix, limit) in new[] { ("11 ", "b-batch"), ("13 ", "b-read"), ("15 ", "b-read") })
        {
            var scenario = rows.Select(r => r.Result).FirstOrDefault(r => r.Name.StartsWith(prefix, StringComparison.Ordinal));
            if (scenario is not null && limits.TryGetValue(limit, out var bound))
            {
                Console.WriteLine($"Scenario {prefix.Trim()} / ({limit}) = {scenario.Throughput / bound.Throughput:0.00} (p99 {F(scenario.P99)} ms against {F(bound.P99)} ms)");
            }
        }
    }

    private static string F(double value) => double.IsNaN(value) ? "" : value.ToString("0.0", CultureInfo.InvariantCulture);
}
