using System.Diagnostics;

namespace OrchestraApi.Cluster;

/// <summary>Waiting for a process started on loopback to answer, or to fail clearly.</summary>
public static class Readiness
{
    /// <summary>
    /// Polls <paramref name="path"/> under <paramref name="address"/> until it answers a success; throws if the process
    /// exits first (<see cref="InvalidOperationException"/>) or <paramref name="timeout"/> passes (<see cref="TimeoutException"/>),
    /// with <paramref name="output"/> (what the process printed) in the message. Returns how long it took.
    /// </summary>
    public static async Task<TimeSpan> WaitAsync(Process process, Uri address, string path, TimeSpan timeout, string name, Func<string> output, CancellationToken ct = default)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited ({process.ExitCode}):\n{output()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative), ct);
                if (response.IsSuccessStatusCode)
                {
                    return clock.Elapsed;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // Not listening yet.
            }

            await Task.Delay(20, ct);
        }

        throw new TimeoutException($"{name} was not ready within {timeout.TotalSeconds:0} s:\n{output()}");
    }
}
