using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrchestraApi.Platform;

/// <summary>
/// A PostgreSQL cluster run from the server binaries on this machine: the embedded default of
/// `dotnet run` (persistent data folder) and of the test suite (throwaway folder).
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    private readonly string _binDirectory;
    private bool _ownsServer;

    private LocalPostgres(string dataDirectory, string binDirectory, int port, bool ownsServer)
    {
        DataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        Port = port;
        _ownsServer = ownsServer;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Max Auto Prepare=50;No Reset On Close=true";

    /// <summary>Starts (initialising if needed) the cluster in <paramref name="dataDirectory"/>, or joins it if it already runs.</summary>
    /// <param name="durable">False turns fsync off: for throwaway test clusters only.</param>
    /// <param name="serverOptions">More `-c name=value` server options (e.g. for benchmarks).</param>
    public static async Task<LocalPostgres> StartAsync(string dataDirectory, bool durable, string? serverOptions = null, CancellationToken ct = default)
    {
        var bin = FindBinDirectory() ?? throw new StartupFailedException(
            "No PostgreSQL server binaries were found: install PostgreSQL 15 or later (e.g. `apt-get install postgresql`) or set ConnectionStrings__Orchestra to a server you run.");
        Directory.CreateDirectory(dataDirectory);
        var asPostgresUser = Environment.UserName == "root";
        if (asPostgresUser)
        {
            // initdb refuses to run as root; the cluster belongs to the postgres user.
            await RunAsync("chown", ["-R", "postgres:postgres", dataDirectory], ct);
        }

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await RunPostgresToolAsync(bin, "initdb", ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"], asPostgresUser, ct);
        }

        var running = ReadRunningPort(dataDirectory);
        if (running is { } existingPort && await IsReachableAsync(existingPort))
        {
            return new LocalPostgres(dataDirectory, bin, existingPort, ownsServer: false);
        }

        var port = FreePort();
        var options = $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c max_connections=200";
        if (!durable)
        {
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }

        if (serverOptions is not null)
        {
            options += " " + serverOptions;
        }

        await RunPostgresToolAsync(bin, "pg_ctl", ["-D", dataDirectory, "-o", options, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "start"], asPostgresUser, ct);
        return new LocalPostgres(dataDirectory, bin, port, ownsServer: true);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsServer)
        {
            _ownsServer = false;
            await RunPostgresToolAsync(_binDirectory, "pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], Environment.UserName == "root", CancellationToken.None);
        }
    }

    private static string? FindBinDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("ORCHESTRA_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(Path.Combine(configured, "pg_ctl")) ? configured : null;
        }

        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0, Bin: Path.Combine(d, "bin")))
            .Where(x => x.Version >= 15 && File.Exists(Path.Combine(x.Bin, "pg_ctl")))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Bin)
            .FirstOrDefault();
    }

    private static int? ReadRunningPort(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        // postmaster.pid line 4 is the port (PostgreSQL's documented lock-file layout).
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3], out var port) ? port : null;
    }

    private static async Task<bool> IsReachableAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunPostgresToolAsync(string bin, string tool, string[] arguments, bool asPostgresUser, CancellationToken ct) =>
        asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. arguments], ct)
            : RunAsync(Path.Combine(bin, tool), arguments, ct);

    private static async Task RunAsync(string fileName, string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new StartupFailedException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new StartupFailedException(
                $"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {(await error).Trim()} {(await output).Trim()}");
        }
    }
}

/// <summary>Start-up cannot go on; the message is one sentence saying what to install or set.</summary>
public sealed class StartupFailedException(string message) : Exception(message);
