using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Npgsql;

namespace OrchestraApi.EmbeddedPostgres;

/// <summary>
/// A PostgreSQL cluster run from the server binaries on this machine: the embedded default of
/// `dotnet run` (persistent data folder) and of the test suite (throwaway folder). Only the holder of its password
/// gets in: the password is generated at initialisation and kept beside the data directory (`{dir}.password`,
/// readable by its owner only); whichever process started the server is named in `{dir}.owner` and stops it.
/// </summary>
public sealed partial class LocalPostgres : IAsyncDisposable
{
    private readonly string _binDirectory;
    private bool _ownsServer;

    private LocalPostgres(string dataDirectory, string binDirectory, int port, string password, bool ownsServer)
    {
        DataDirectory = dataDirectory;
        _binDirectory = binDirectory;
        Port = port;
        Password = password;
        _ownsServer = ownsServer;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    /// <summary>The superuser's password (for tools such as pgbench: PGPASSWORD).</summary>
    public string Password { get; }

    /// <summary>Files beside the data directory: the password, and the process id of the API that runs the server.</summary>
    public static string PasswordFile(string dataDirectory) => Path.TrimEndingDirectorySeparator(dataDirectory) + ".password";

    private static string OwnerFile(string dataDirectory) => Path.TrimEndingDirectorySeparator(dataDirectory) + ".owner";

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres;Password={Password};Max Auto Prepare=50;No Reset On Close=true";

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

        var hba = Path.Combine(dataDirectory, "pg_hba.conf");
        var trusting = File.Exists(hba) && File.ReadLines(hba).Any(l => !l.TrimStart().StartsWith('#') && TrustMethod().IsMatch(l));
        if (File.Exists(hba) && !trusting && !File.Exists(PasswordFile(dataDirectory)))
        {
            throw new StartupFailedException(
                $"The PostgreSQL cluster in {dataDirectory} requires a password, but {PasswordFile(dataDirectory)} is missing: restore that file, or delete the data directory to start afresh.");
        }

        var password = ReadOrCreatePassword(PasswordFile(dataDirectory));
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await InitialiseAsync(bin, dataDirectory, password, asPostgresUser, ct);
        }

        LocalPostgres cluster;
        if (ReadRunningPort(dataDirectory) is { } existingPort && await IsReachableAsync(existingPort))
        {
            // Ours unless another live API process started it; one killed without stopping it left an orphan to take over.
            var owner = ReadOwner(dataDirectory);
            var ownedElsewhere = owner is { } pid && pid != Environment.ProcessId && IsAlive(pid);
            cluster = new LocalPostgres(dataDirectory, bin, existingPort, password, ownsServer: !ownedElsewhere);
        }
        else
        {
            var port = FreePort();
            var options = $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c max_connections=500";
            if (!durable)
            {
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            }

            if (serverOptions is not null)
            {
                options += " " + serverOptions;
            }

            await RunPostgresToolAsync(bin, "pg_ctl", ["-D", dataDirectory, "-o", options, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "start"], asPostgresUser, ct);
            cluster = new LocalPostgres(dataDirectory, bin, port, password, ownsServer: true);
        }

        if (cluster._ownsServer)
        {
            await File.WriteAllTextAsync(OwnerFile(dataDirectory), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
        }

        if (trusting)
        {
            await cluster.RequirePasswordAsync(asPostgresUser, ct);
        }

        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsServer)
        {
            _ownsServer = false;
            await RunPostgresToolAsync(_binDirectory, "pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], Environment.UserName == "root", CancellationToken.None);
            File.Delete(OwnerFile(DataDirectory));
        }
    }

    private static string ReadOrCreatePassword(string passwordFile)
    {
        if (File.Exists(passwordFile))
        {
            return File.ReadAllText(passwordFile).Trim();
        }

        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(passwordFile, password);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return password;
    }

    /// <summary>initdb with password authentication for every connection, local or TCP (scram-sha-256).</summary>
    private static async Task InitialiseAsync(string bin, string dataDirectory, string password, bool asPostgresUser, CancellationToken ct)
    {
        // initdb reads the password from a file its user can read; that copy lives only for the call.
        var pwfile = Path.TrimEndingDirectorySeparator(dataDirectory) + ".initdb-pw";
        await File.WriteAllTextAsync(pwfile, password, ct);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(pwfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            if (asPostgresUser)
            {
                await RunAsync("chown", ["postgres:postgres", pwfile], ct);
            }

            await RunPostgresToolAsync(bin, "initdb", ["-D", dataDirectory, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={pwfile}", "-E", "UTF8", "--no-instructions"], asPostgresUser, ct);
        }
        finally
        {
            File.Delete(pwfile);
        }
    }

    /// <summary>
    /// A cluster initialised before passwords (with trust, by an earlier version): set the password over the still-trusting connection,
    /// then switch pg_hba.conf from trust to scram-sha-256 and reload, so from now on only the password gets in.
    /// </summary>
    private async Task RequirePasswordAsync(bool asPostgresUser, CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Database=postgres;Username=postgres;Pooling=false"))
        {
            await connection.OpenAsync(ct);
            await using var alter = new NpgsqlCommand($"ALTER ROLE postgres PASSWORD '{Password}'", connection);
            await alter.ExecuteNonQueryAsync(ct);
        }

        var hba = Path.Combine(DataDirectory, "pg_hba.conf");
        var lines = (await File.ReadAllLinesAsync(hba, ct)).Select(l => l.TrimStart().StartsWith('#') ? l : TrustMethod().Replace(l, "scram-sha-256"));
        await File.WriteAllLinesAsync(hba, lines, ct);
        await RunPostgresToolAsync(_binDirectory, "pg_ctl", ["-D", DataDirectory, "reload"], asPostgresUser, ct);
        NpgsqlConnection.ClearAllPools();

        // A reload takes effect a moment later: wait until the door is really shut.
        for (var attempt = 0; attempt < 50 && await TrustsAsync(ct); attempt++)
        {
            await Task.Delay(100, ct);
        }
    }

    private async Task<bool> TrustsAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Database=postgres;Username=postgres;Pooling=false");
            await connection.OpenAsync(ct);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    [GeneratedRegex("\\btrust\\s*$")]
    private static partial Regex TrustMethod();

    private static int? ReadOwner(string dataDirectory) =>
        File.Exists(OwnerFile(dataDirectory)) && int.TryParse(File.ReadAllText(OwnerFile(dataDirectory)).Trim(), out var pid) ? pid : null;

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
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
