using System.Reflection;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using OrchestraApi.EmbeddedPostgres;
using Weasel.Core;

namespace OrchestraApi.Platform;

public static class Database
{
    /// <summary>True while `dotnet-getdocument` runs the app at build time to write openapi.json.</summary>
    public static bool IsGeneratingOpenApiDocument =>
        Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    /// <summary>
    /// Marten on PostgreSQL: `ConnectionStrings:Orchestra` when set (the async daemon in HotCold mode, so several nodes
    /// may share the database), otherwise an embedded cluster in `Orchestra:DataDirectory` (default `.orchestra/postgres`
    /// beside the project) that stops with the API (the daemon in Solo mode).
    /// </summary>
    public static async Task AddOrchestraDatabaseAsync(this WebApplicationBuilder builder, Action<StoreOptions> configure)
    {
        var (connectionString, embedded) = await ResolveConnectionStringAsync(builder);
        var dataSource = NpgsqlDataSource.Create(connectionString);
        // The problem mapper retires pooled connections after an unexpected database error (see ProblemMapper).
        builder.Services.AddSingleton(dataSource);
        // Marten logs every failed batch as an error with its SQL; expected failures (409, 412) are answered and
        // logged once by the problem mapper, and unexpected ones are logged there with the whole exception.
        builder.Logging.AddFilter("Marten.IDocumentStore", LogLevel.None);

        var marten = builder.Services.AddMarten(options =>
            {
                options.Connection(dataSource);
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;

                // Every document and stream belongs to one organisation; no default tenant to fall back to.
                options.Policies.AllDocumentsAreMultiTenanted();
                options.Events.TenancyStyle = JasperFx.MultiTenancy.TenancyStyle.Conjoined;
                options.Advanced.DefaultTenantUsageEnabled = false;

                options.Events.StreamIdentity = StreamIdentity.AsGuid;
                options.Events.AppendMode = EventAppendMode.Quick;
                // Several nodes on one database (decision 2): one leads each projection shard, the others stand by.
                // A standby asks for each free shard every half second (one pg_try_advisory_lock per shard), so a dead
                // leader's shards move within ~1 s of PostgreSQL freeing its locks, every shard of them (measured with
                // two shards: 0.5-1.4 s at a 1 s poll, 0.5-4.7 s with the 5 s default).
                options.Projections.LeadershipPollingTime = 500;
                // The feed and what follows it trail a commit by the high-water mark's polling: every 250 ms when idle
                // (the feed then trails a write by 10-250 ms; 0.6-0.9 s at the 1 s default).
                options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
                // A hole in the event sequence (a rolled-back append: every 412 loser leaves one) is looked into after
                // 0.5 s instead of 3 s, and skipped only if no transaction that could still fill it is alive: a late
                // commit is waited for, never skipped (FeedTests holds one open for 3 s). Measured: the next event's
                // feed entry 0.65-0.7 s after a hole, 3.2 s at the default.
                options.Projections.StaleSequenceThreshold = TimeSpan.FromMilliseconds(500);
                options.Projections.UseTransactionEvidenceForGapSkipping = true;
                // Session-scoped advisory locks on the leader's own connection: freed the moment that connection dies.
                // (Transaction-scoped ones suit pgbouncer's transaction pooling, which the daemon must not go through,
                // and keep a transaction open for as long as a node leads.)
                options.Events.UseAdvisoryLockTransaction = false;
                // Watches the lock, so a leader that lost it (a database restart or failover) stops instead of
                // running beside the new leader.
                options.Events.UseMonitoredAdvisoryLock = true;
                // The lock ids every node of this API derives its shards' locks from; another application on the same
                // database must use another.
                options.Projections.DaemonLockId = DaemonLockId;
                if (IsGeneratingOpenApiDocument)
                {
                    // The build only asks for the document and starts no daemon; saying Solo (what the API runs) keeps
                    // Marten from printing "the async daemon is disabled", which the build would read as a warning.
                    options.Projections.AsyncMode = DaemonMode.Solo;
                }

                configure(options);
            })
            .UseLightweightSessions()
            .BuildSessionsWith<TenantSessionFactory>();
        builder.Services.AddSingleton(new DaemonSetup(embedded ? DaemonMode.Solo : DaemonMode.HotCold));
        if (!IsGeneratingOpenApiDocument)
        {
            // HotCold on a database others may share; Solo on the embedded one, which only this process uses.
            marten.ApplyAllDatabaseChangesOnStartup().AddAsyncDaemon(embedded ? DaemonMode.Solo : DaemonMode.HotCold);
        }
    }

    /// <summary>How the async daemon runs on this node (reported by /health/daemon).</summary>
    public sealed record DaemonSetup(DaemonMode Mode);

    /// <summary>The base of the advisory lock ids the async daemon's nodes elect their leaders with.</summary>
    public const int DaemonLockId = 41_946_001;

    private static async Task<(string ConnectionString, bool Embedded)> ResolveConnectionStringAsync(WebApplicationBuilder builder)
    {
        if (IsGeneratingOpenApiDocument)
        {
            return ("Host=127.0.0.1;Database=openapi-document-generation", false);
        }

        var configured = builder.Configuration.GetConnectionString("Orchestra");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var connection = new NpgsqlConnectionStringBuilder(configured);
            // Keeps prepared statements across pooled connections (Marten's append function: 0.81 -> 0.29 ms).
            if (connection.MaxAutoPrepare == 0)
            {
                connection.MaxAutoPrepare = 50;
            }

            // Marten opens a pooled connection per operation; resetting each on return cost three round trips per open.
            connection.NoResetOnClose = true;

            await EnsureReachableAsync(connection.ConnectionString, $"PostgreSQL at {connection.Host}:{connection.Port} from ConnectionStrings__Orchestra");
            return (connection.ConnectionString, false);
        }

        var dataDirectory = Path.GetFullPath(builder.Configuration["Orchestra:DataDirectory"] ?? ".orchestra/postgres", builder.Environment.ContentRootPath);
        var cluster = await LocalPostgres.StartAsync(dataDirectory, durable: true);
        builder.Services.AddHostedService(_ => new LocalPostgresLifetime(cluster));
        await using (var admin = new NpgsqlConnection(cluster.ConnectionString()))
        {
            await admin.OpenAsync();
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = 'orchestra'", admin);
            if (await exists.ExecuteScalarAsync() is null)
            {
                await using var create = new NpgsqlCommand("CREATE DATABASE orchestra", admin);
                await create.ExecuteNonQueryAsync();
            }
        }

        return (cluster.ConnectionString("orchestra"), true);
    }

    private static async Task EnsureReachableAsync(string connectionString, string what)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or ArgumentException)
        {
            throw new StartupFailedException($"Cannot reach {what} ({e.Message}): start that server or fix the connection string.");
        }
    }

    /// <summary>Stops the embedded cluster when the API stops (registered before Marten, so it stops last).</summary>
    private sealed class LocalPostgresLifetime(LocalPostgres cluster) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken) => await cluster.DisposeAsync();
    }
}
