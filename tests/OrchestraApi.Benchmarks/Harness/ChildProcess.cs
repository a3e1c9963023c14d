using System.Diagnostics;
using OrchestraApi.Cluster;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>A server started as its own process on loopback (the API, or the bare endpoint), with its memory readings.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private System.Text.StringBuilder? _output;

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
        var port = ProcFs.FreePort();
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

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new ChildProcess(process, new Uri($"http://127.0.0.1:{port}/")) { _output = output };
        try
        {
            var startUp = await Readiness.WaitAsync(process, child.Address, readyPath, TimeSpan.FromSeconds(60), Path.GetFileName(dll), () => { lock (output) { return output.ToString(); } });
            return (child, startUp);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>Resident memory now, in MB (VmRSS).</summary>
    public double RssMegabytes => ProcFs.StatusMegabytes(_process.Id, "VmRSS:");

    /// <summary>Peak resident memory since start, in MB (VmHWM).</summary>
    public double PeakRssMegabytes => ProcFs.StatusMegabytes(_process.Id, "VmHWM:");

    public async ValueTask DisposeAsync()
    {
        // BENCH_LOGS=<directory>: what the process wrote, kept for a look after the run.
        if (Environment.GetEnvironmentVariable("BENCH_LOGS") is { Length: > 0 } logs && _output is { } output)
        {
            Directory.CreateDirectory(logs);
            lock (output)
            {
                File.WriteAllText(Path.Combine(logs, $"{Path.GetFileNameWithoutExtension(_process.StartInfo.Arguments.Split('"')[1])}-{_process.Id}.log"), output.ToString());
            }
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
