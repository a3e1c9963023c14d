using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.EmbeddedPostgres;
using OrchestraApi.Platform;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests;

/// <summary>
/// The real API in-process on a real PostgreSQL: a throwaway cluster from the machine's binaries, or the
/// server in ORCHESTRA_TEST_DB. Tests never share dirty state: each starts from a reset store.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xUnit disposes fixtures through IAsyncLifetime.DisposeAsync.")]
public sealed class ApiFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string BootstrapKey = "test-bootstrap-admin-key-not-a-secret";

    private LocalPostgres? _cluster;
    private WebApplicationFactory<Program>? _factory;
    private string _connectionString = "";

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Not started.");

    /// <summary>The connection string of the shared server (its default database).</summary>
    public string ConnectionString => _connectionString;

    public IDocumentStore Store => Factory.Services.GetRequiredService<IDocumentStore>();

    public async Task InitializeAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("ORCHESTRA_TEST_DB");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            _cluster = await LocalPostgres.StartAsync(Path.Combine(Path.GetTempPath(), $"orchestra-tests-{Guid.NewGuid():N}"), durable: false);
            connectionString = _cluster.ConnectionString();
        }

        _connectionString = connectionString;
        _factory = Start(connectionString);
    }

    /// <summary>
    /// Another node of this API: a second host on the same database, as a second process would be behind a proxy.
    /// Disposing it stops only that host.
    /// </summary>
    public ApiFixture StartAnotherNode() => new() { _connectionString = _connectionString, _factory = Start(_connectionString) };

    /// <summary>
    /// Another API host on a new, empty database of the same server: for tests that need a freshly started API
    /// (cold connection pool and prepared statements) without disturbing the shared one.
    /// </summary>
    /// <param name="port">Connect through this local port instead (e.g. a proxy a test can cut).</param>
    /// <param name="configure">More host configuration, e.g. a log capture.</param>
    /// <param name="settings">Settings read at start-up, e.g. <c>Orchestra__RateLimits__PerKeyBurst</c>.</param>
    /// <param name="kestrel">Serve on real Kestrel over loopback instead of the in-memory test server.</param>
    public async Task<ApiFixture> StartFreshApiAsync(int? port = null, Action<IWebHostBuilder>? configure = null, IReadOnlyDictionary<string, string>? settings = null, bool kestrel = false)
    {
        var database = $"fresh_{Guid.NewGuid():N}";
        await using (var connection = new Npgsql.NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var fresh = new ApiFixture { _connectionString = _connectionString };
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(_connectionString) { Database = database };
        if (port is not null)
        {
            connectionString.Port = port.Value;
        }

        fresh._factory = Start(connectionString.ConnectionString, configure, settings, kestrel);
        Environment.SetEnvironmentVariable("ConnectionStrings__Orchestra", _connectionString);
        foreach (var name in (settings ?? new Dictionary<string, string>()).Keys)
        {
            Environment.SetEnvironmentVariable(name, Generous.GetValueOrDefault(name));
        }

        return fresh;
    }

    /// <summary>The suite drives thousands of requests a second from one client with few keys: budgets to match (RateLimitTests set small ones).</summary>
    private static readonly Dictionary<string, string> Generous = new()
    {
        ["Orchestra__RateLimits__PerKeyPerSecond"] = "100000",
        ["Orchestra__RateLimits__PerKeyBurst"] = "100000",
        ["Orchestra__RateLimits__PerClientPerSecond"] = "100000",
        ["Orchestra__RateLimits__PerClientBurst"] = "100000",
        ["Orchestra__RateLimits__AnonymousPerMinute"] = "100000",
        ["Orchestra__RateLimits__FailedAuthenticationPerMinute"] = "100000",
        // The host runs as Development, which logs a line per request: tests make too many for that to help.
        ["Logging__LogLevel__OrchestraApi.Requests"] = "Warning",
        // Webhooks go to receivers on loopback over http, and retry within seconds (the published schedule spans days).
        ["Orchestra__Webhooks__AllowLoopback"] = "true",
        ["Orchestra__Webhooks__AllowHttp"] = "true",
        ["Orchestra__Webhooks__AttemptTimeoutSeconds"] = "2",
        ["Orchestra__Webhooks__RetryDelays__0"] = "00:00:00.2",
        ["Orchestra__Webhooks__RetryDelays__1"] = "00:00:00.4",
        ["Orchestra__Webhooks__RetryDelays__2"] = "00:00:00.8",
        ["Orchestra__Webhooks__RetryDelays__3"] = "00:00:01",
        ["Orchestra__Webhooks__RetryDelays__4"] = "00:00:01",
        ["Orchestra__Webhooks__RetryDelays__5"] = "00:00:01",
        // Triggers evaluate every watched outcome each second (30 s in production), so time-driven tests wait little.
        ["Orchestra__Triggers__TickSeconds"] = "1",
    };

    private static WebApplicationFactory<Program> Start(string connectionString, Action<IWebHostBuilder>? configure = null, IReadOnlyDictionary<string, string>? settings = null, bool kestrel = false)
    {
        // Read by Program before the host is built, so they go in as environment, not as host settings.
        Environment.SetEnvironmentVariable("ConnectionStrings__Orchestra", connectionString);
        Environment.SetEnvironmentVariable("Orchestra__BootstrapAdminKey", BootstrapKey);
        foreach (var (name, value) in Generous.Concat(settings ?? new Dictionary<string, string>()))
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        // No test may ask a DNS server (only loopback traffic): webhook destinations resolve from a table.
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host.ConfigureServices(
            services => services.AddSingleton<OrchestraApi.Webhooks.IWebhookResolver, Webhooks.TableResolver>()));
        if (configure is not null)
        {
            factory = factory.WithWebHostBuilder(configure);
        }

        if (kestrel)
        {
            factory.UseKestrel(0);
            factory.StartServer();
        }
        else
        {
            _ = factory.Server;
        }

        return factory;
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            Directory.Delete(_cluster.DataDirectory, recursive: true);
            File.Delete(LocalPostgres.PasswordFile(_cluster.DataDirectory));
        }
    }

    public Task ResetAsync() => Factory.Services.ResetAllMartenDataAsync();

    public Task WaitForProjectionsAsync() => Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));

    /// <summary>A raw HTTP client, with <paramref name="apiKey"/> when given.</summary>
    public HttpClient Http(string? apiKey = null)
    {
        var client = Factory.CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public OrganisationsClient Organisations(string apiKey = BootstrapKey) => new(Http(apiKey));

    public OutcomesClient Outcomes(string apiKey) => new(Http(apiKey));

    public PlansClient Plans(string apiKey) => new(Http(apiKey));

    public ConnectionsClient Connections(string apiKey) => new(Http(apiKey));

    public ResultsClient Results(string apiKey) => new(Http(apiKey));

    public SegmentsClient Segments(string apiKey) => new(Http(apiKey));

    public StatusClient Status(string apiKey) => new(Http(apiKey));

    public BaselinesClient Baselines(string apiKey) => new(Http(apiKey));

    public EventsClient Events(string apiKey) => new(Http(apiKey));

    public WebhooksClient Webhooks(string apiKey) => new(Http(apiKey));

    public TriggersClient Triggers(string apiKey) => new(Http(apiKey));

    public TasksClient Tasks(string apiKey) => new(Http(apiKey));

    public MaturityClient Maturity(string apiKey) => new(Http(apiKey));

    /// <summary>A new organisation, with a key per role at hand.</summary>
    public async Task<TestOrganisation> NewOrganisationAsync(string name = "Northwind Coffee")
    {
        var organisation = await Organisations().CreateOrganisationAsync(new CreateOrganisationRequest { Name = name });
        return new TestOrganisation(this, organisation.Id);
    }
}

public sealed class TestOrganisation(ApiFixture api, Guid id)
{
    public Guid Id { get; } = id;

    public async Task<string> KeyAsync(Role role, params Discipline[] disciplines)
    {
        var issued = await api.Organisations().IssueApiKeyAsync(Id, new IssueApiKeyRequest { Name = $"{role} key", Role = role, Disciplines = disciplines });
        return issued.Key;
    }

    public async Task<OutcomesClient> OutcomesAsAsync(Role role, params Discipline[] disciplines) => api.Outcomes(await KeyAsync(role, disciplines));

    public async Task<HttpClient> HttpAsAsync(Role role) => api.Http(await KeyAsync(role));
}

[CollectionDefinition(nameof(ApiCollection))]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>;

/// <summary>Base of every test that talks to the API: starts from an empty store.</summary>
[Collection(nameof(ApiCollection))]
public abstract class ApiTest(ApiFixture api) : IAsyncLifetime
{
    protected ApiFixture Api { get; } = api;

    public Task InitializeAsync() => Api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
