using System.Globalization;
using Npgsql;
using OrchestraApi.EmbeddedPostgres;

namespace OrchestraApi.Cluster;

/// <summary>
/// Several API nodes on one PostgreSQL behind haproxy, all on loopback: the deployment of README "Deployment" in
/// miniature. PostgreSQL gets TCP keepalives (10 s idle, then 5 s × 3 probes), so the advisory locks of a node whose
/// host vanished are freed within ~25 s (a killed process's are freed at once), and ends a transaction left idle for
/// 60 s, which would otherwise hold the feed's high-water mark.
/// </summary>
public sealed class LoopbackCluster : IAsyncDisposable
{
    public const string BootstrapKey = "cluster-bootstrap-admin-key-0123456789";

    private readonly string _directory;

    private LoopbackCluster(string directory, LocalPostgres postgres, string connectionString, IReadOnlyList<ApiNode> nodes, Haproxy proxy)
    {
        (_directory, Postgres, ConnectionString, Nodes, Proxy) = (directory, postgres, connectionString, nodes, proxy);
    }

    public LocalPostgres Postgres { get; }

    /// <summary>The API's database.</summary>
    public string ConnectionString { get; }

    public IReadOnlyList<ApiNode> Nodes { get; }

    public Haproxy Proxy { get; }

    /// <summary>PostgreSQL's postmaster and its backends.</summary>
    public int PostgresProcessId => int.Parse(File.ReadLines(Path.Combine(Postgres.DataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>The API build the nodes run: the server project's output in the configuration this program was built in.</summary>
    public static string ApiDll()
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrchestraApi.sln")))
        {
            directory = directory.Parent;
        }

        var dll = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Run from inside the repository."), "src/OrchestraApi/bin", configuration, "net10.0/OrchestraApi.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the API first (dotnet build -c {configuration}).", dll);
    }

    /// <param name="nodes">How many API nodes.</param>
    /// <param name="durable">fsync on (benchmarks) or off (tests).</param>
    /// <param name="settings">More settings for every node, as environment variables (e.g. <c>Orchestra__RateLimits__PerKeyBurst</c>).</param>
    public static async Task<LoopbackCluster> StartAsync(int nodes, bool durable = false, IReadOnlyDictionary<string, string>? settings = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        if (Haproxy.Executable() is null)
        {
            throw new InvalidOperationException("haproxy is not installed: `apt-get install haproxy` (Debian's package; .ci/run installs it when missing).");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"orchestra-cluster-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var postgres = await LocalPostgres.StartAsync(
            Path.Combine(directory, "postgres"), durable, "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c idle_in_transaction_session_timeout=60s", ct);
        var created = new List<ApiNode>();
        try
        {
            await using (var connection = new NpgsqlConnection(postgres.ConnectionString()))
            {
                await connection.OpenAsync(ct);
                await using var create = new NpgsqlCommand("CREATE DATABASE orchestra", connection);
                await create.ExecuteNonQueryAsync(ct);
            }

            var connectionString = postgres.ConnectionString("orchestra");
            var environment = new Dictionary<string, string>
            {
                ["ConnectionStrings__Orchestra"] = connectionString,
                ["Orchestra__BootstrapAdminKey"] = BootstrapKey,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            };
            foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            {
                environment[name] = value;
            }

            var dll = ApiDll();
            created.AddRange(Enumerable.Range(1, nodes).Select(i => new ApiNode($"node{i}", dll, ProcFs.FreePort(), environment, directory)));
            // The first node creates the schema; the others then start together.
            await created[0].StartAsync(ct);
            await Task.WhenAll(created.Skip(1).Select(n => n.StartAsync(ct)));
            var proxy = await Haproxy.StartAsync(directory, created.Select(n => (n.Name, n.Address)), ct);
            return new LoopbackCluster(directory, postgres, connectionString, created, proxy);
        }
        catch
        {
            foreach (var node in created)
            {
                await node.DisposeAsync();
            }

            await postgres.DisposeAsync();
            throw;
        }
    }

    public ApiNode Node(string name) => Nodes.Single(n => n.Name == name);

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        await Postgres.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A log still open; the temporary directory is cleaned another day.
        }
    }
}
