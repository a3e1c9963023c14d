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
    /// Marten on PostgreSQL: `ConnectionStrings:Orchestra` when set, otherwise an embedded cluster in
    /// `Orchestra:DataDirectory` (default `.orchestra/postgres` beside the project) that stops with the API.
    /// </summary>
    public static async Task AddOrchestraDatabaseAsync(this WebApplicationBuilder builder, Action<StoreOptions> configure)
    {
        var dataSource = NpgsqlDataSource.Create(await ResolveConnectionStringAsync(builder));
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
        if (!IsGeneratingOpenApiDocument)
        {
            // Solo: the HotCold daemon needs a type only the real Patched.DistributedLock.Core has (decision 2).
            marten.ApplyAllDatabaseChangesOnStartup().AddAsyncDaemon(DaemonMode.Solo);
        }
    }

    private static async Task<string> ResolveConnectionStringAsync(WebApplicationBuilder builder)
    {
        if (IsGeneratingOpenApiDocument)
        {
            return "Host=127.0.0.1;Database=openapi-document-generation";
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
            return connection.ConnectionString;
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

        return cluster.ConnectionString("orchestra");
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
