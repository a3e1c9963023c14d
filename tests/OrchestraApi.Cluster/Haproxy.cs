using System.Diagnostics;
using System.Globalization;

namespace OrchestraApi.Cluster;

/// <summary>
/// haproxy in front of the nodes (Debian's package): round robin, a node out of rotation ~0.5-1 s after it stops
/// answering /health/ready, and retries that never replay a change — a request that could not be sent goes to another
/// node; a GET whose node died under it is retried there; a POST, PUT, PATCH or DELETE whose node died under it is
/// answered 502, and the client retries it with its Idempotency-Key (the SDK does).
/// </summary>
public sealed class Haproxy : IAsyncDisposable
{
    private readonly Process _process;

    private Haproxy(Process process, Uri address, string configFile)
    {
        _process = process;
        Address = address;
        ConfigFile = configFile;
    }

    public Uri Address { get; }

    public string ConfigFile { get; }

    public int ProcessId => _process.Id;

    public TimeSpan CpuTime => _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;

    /// <summary>The configuration for nodes on <paramref name="nodes"/>, listening on <paramref name="port"/>.</summary>
    public static string Configuration(int port, IEnumerable<(string Name, Uri Address)> nodes) => string.Join('\n',
    [
        "global",
        "    maxconn 4096",
        "defaults",
        "    mode http",
        "    timeout connect 1s",
        // An idle live status stream is cut after 5 minutes; its client reconnects with Last-Event-ID (the SDK does).
        "    timeout client 5m",
        "    timeout server 5m",
        "    timeout http-request 10s",
        "    timeout queue 5s",
        "    timeout check 1s",
        // The client's address reaches the API (its per-client rate limit and logs), not the proxy's.
        "    option forwardfor",
        // A request that could not reach a node is sent to another; only GETs are replayed after a node took them.
        "    retries 3",
        "    option redispatch 1",
        "    retry-on all-retryable-errors",
        $"frontend api",
        $"    bind 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
        "    default_backend nodes",
        "backend nodes",
        "    balance roundrobin",
        "    http-request disable-l7-retry unless METH_GET",
        "    option httpchk GET /health/ready",
        "    http-check expect status 200",
        "    default-server check inter 500 fall 2 rise 2",
        "    http-response set-header Served-By %[srv_name]",
        .. nodes.Select(n => $"    server {n.Name} {n.Address.Host}:{n.Address.Port.ToString(CultureInfo.InvariantCulture)}"),
        "",
    ]);

    private static readonly string[] Installed = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"];

    public static string? Executable() => Installed.FirstOrDefault(File.Exists);

    public static async Task<Haproxy> StartAsync(string directory, IEnumerable<(string Name, Uri Address)> nodes, CancellationToken ct = default)
    {
        var executable = Executable() ?? throw new InvalidOperationException(
            "haproxy is not installed: `apt-get install haproxy` (Debian's package; .ci/run installs it when missing).");
        var port = ProcFs.FreePort();
        var configFile = Path.Combine(directory, "haproxy.cfg");
        await File.WriteAllTextAsync(configFile, Configuration(port, nodes), ct);
        var start = new ProcessStartInfo(executable, ["-db", "-f", configFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start haproxy.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var proxy = new Haproxy(process, new Uri($"http://127.0.0.1:{port}/"), configFile);

        // Ready when it routes a health check to a node it has marked up.
        try
        {
            await Readiness.WaitAsync(process, proxy.Address, "health/ready", TimeSpan.FromSeconds(30), "haproxy", () => { lock (output) { return output.ToString(); } }, ct);
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
