using System.Diagnostics;
using System.Globalization;

namespace OrchestraApi.Cluster;

/// <summary>One API process on loopback: started with <c>dotnet OrchestraApi.dll</c>, its output in a log file.</summary>
public sealed class ApiNode : IAsyncDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly string _logFile;
    private Process? _process;

    internal ApiNode(string name, string apiDll, int port, IReadOnlyDictionary<string, string> environment, string logDirectory)
    {
        Name = name;
        Address = new Uri($"http://127.0.0.1:{port}/");
        _logFile = Path.Combine(logDirectory, name + ".log");
        _start = new ProcessStartInfo("dotnet", $"\"{apiDll}\" --urls {Address.OriginalString.TrimEnd('/')}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
        };
        foreach (var (key, value) in environment)
        {
            _start.Environment[key] = value;
        }
    }

    /// <summary>node1, node2, …: also the server's name in haproxy (its <c>Served-By</c> answer header).</summary>
    public string Name { get; }

    public Uri Address { get; }

    public bool IsRunning => _process is { HasExited: false };

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>CPU time the process has used (user and system), zero once it is gone.</summary>
    public TimeSpan CpuTime => IsRunning ? _process!.TotalProcessorTime : TimeSpan.Zero;

    /// <summary>Resident memory now, in MB.</summary>
    public double RssMegabytes => IsRunning ? ProcFs.StatusMegabytes(_process!.Id, "VmRSS:") : double.NaN;

    /// <summary>Starts the process and waits until it answers /health/ready.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        var log = new StreamWriter(_logFile, append: true) { AutoFlush = true };
        var process = Process.Start(_start) ?? throw new InvalidOperationException($"Could not start {Name}.");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => log.Dispose();
        _process = process;

        await Readiness.WaitAsync(process, Address, "health/ready", TimeSpan.FromSeconds(90), Name, () => $"see {_logFile}:\n{Tail()}", ct);
    }

    /// <summary>SIGKILL: the process dies at once, its connections are cut, nothing is flushed or handed over.</summary>
    public void Kill()
    {
        if (IsRunning)
        {
            _process!.Kill();
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM: the API stops gracefully (requests finish, live streams end so clients reconnect elsewhere).</summary>
    public async Task StopAsync()
    {
        if (IsRunning)
        {
            using (var term = Process.Start("kill", ["-TERM", _process!.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        await Task.CompletedTask;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The process is gone.
            }
        }
    }

    private string Tail() => File.Exists(_logFile) ? string.Join('\n', File.ReadLines(_logFile).TakeLast(30)) : "";
}
