using System.Diagnostics;
using System.Globalization;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>A server started as its own process on loopback (the API, or the bare endpoint), with its memory readings.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    /// <summary>Starts <c>dotnet {dll} {arguments}</c> and waits until <paramref name="readyPath"/> answers 200; returns the time that took.</summary>
    public static async Task<(ChildProcess Process, TimeSpan StartUp)> StartAsync(string dll, string arguments, IDictionary<string, string> environment, string readyPath)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments} --urls http://127.0.0.1:{port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new ChildProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient { BaseAddress = child.Address, Timeout = TimeSpan.FromSeconds(2) };
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Path.GetFileName(dll)} exited ({process.ExitCode}):\n{output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(readyPath, UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return (child, clock.Elapsed);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(10);
        }

        await child.DisposeAsync();
        throw new TimeoutException($"{Path.GetFileName(dll)} was not ready within 60 s:\n{output}");
    }

    /// <summary>Resident memory now, in MB (VmRSS).</summary>
    public double RssMegabytes => ReadStatus("VmRSS:");

    /// <summary>Peak resident memory since start, in MB (VmHWM).</summary>
    public double PeakRssMegabytes => ReadStatus("VmHWM:");

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private double ReadStatus(string field)
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
