using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrchestraApi.Sdk;

/// <summary>Where the API is, which key to use, and how patiently to retry.</summary>
public sealed class OrchestraApiClientOptions
{
    /// <summary>The API's address, e.g. https://orchestra.example.com/.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The organisation's API key (orch_…), sent as X-Api-Key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Most retries of one call after a 429, a 503, a proxy's 502 or 504, or a network failure (0 turns retries off). Default 10; <see cref="RetryBudget"/> usually ends them first.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>
    /// How long one call may keep retrying, waits included: long enough, by default (30 s), to ride out an API restart
    /// or a short database outage. When it is spent, the failure carries the Idempotency-Key sent, for a later retry.
    /// </summary>
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one call may take in all, retries included (HttpClient.Timeout). Default 100 s; live streams are not limited by it.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>The first back-off delay; each retry doubles it (with jitter). Default 200 ms.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between tries; an answer asking to wait longer is handed over instead. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}

public static class ServiceCollectionExtensions
{
    private const string HttpClientName = "OrchestraApi";

    /// <summary>
    /// Registers the OrchestraApi clients (IOrganisationsClient, IOutcomesClient, IPlansClient, IConnectionsClient, IResultsClient, ISegmentsClient, IStatusClient, IBaselinesClient, IEventsClient, IWebhooksClient, ITriggersClient, ITasksClient, IMaturityClient) with problem
    /// answers as typed exceptions and safe retries. Register once per application; for several organisations,
    /// use the overload with a name.
    /// </summary>
    public static IHttpClientBuilder AddOrchestraApiClient(this IServiceCollection services, Action<OrchestraApiClientOptions> configure) =>
        Register(services, null, options => options.Configure(configure));

    /// <summary>Registers the clients from a configuration section (BaseAddress, ApiKey, MaxRetries, …).</summary>
    public static IHttpClientBuilder AddOrchestraApiClient(this IServiceCollection services, IConfiguration section) =>
        Register(services, null, options => options.Bind(section));

    /// <summary>Registers the clients for <paramref name="baseAddress"/> with <paramref name="apiKey"/>.</summary>
    public static IHttpClientBuilder AddOrchestraApiClient(this IServiceCollection services, Uri baseAddress, string apiKey) =>
        services.AddOrchestraApiClient(o => (o.BaseAddress, o.ApiKey) = (baseAddress, apiKey));

    /// <summary>
    /// Registers the clients for one of several organisations, as keyed services under <paramref name="name"/>:
    /// inject them with <c>[FromKeyedServices("brand-a")] IOutcomesClient outcomes</c>.
    /// </summary>
    public static IHttpClientBuilder AddOrchestraApiClient(this IServiceCollection services, string name, Action<OrchestraApiClientOptions> configure) =>
        Register(services, Named(name), options => options.Configure(configure));

    /// <summary>Registers one organisation's keyed clients from a configuration section.</summary>
    public static IHttpClientBuilder AddOrchestraApiClient(this IServiceCollection services, string name, IConfiguration section) =>
        Register(services, Named(name), options => options.Bind(section));

    private static string Named(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }

    private static IHttpClientBuilder Register(IServiceCollection services, string? name, Action<OptionsBuilder<OrchestraApiClientOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(Registration) && d.ImplementationInstance is Registration r && r.Name == name))
        {
            // Twice the same registration would send two X-Api-Key headers (a 401): refuse at start-up instead.
            throw new InvalidOperationException(name is null
                ? "The OrchestraApi client is already registered. Register it once, or give each organisation's client its own name."
                : $"An OrchestraApi client named '{name}' is already registered.");
        }

        services.AddSingleton(new Registration(name));
        var httpName = name is null ? HttpClientName : $"{HttpClientName}:{name}";
        var options = services.AddOptions<OrchestraApiClientOptions>(httpName);
        configure(options);
        options
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "OrchestraApi: BaseAddress must be an absolute URI.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ApiKey), "OrchestraApi: ApiKey is required.")
            .Validate(o => o.MaxRetries >= 0 && o.FirstRetryDelay >= TimeSpan.Zero && o.MaxRetryDelay >= o.FirstRetryDelay, "OrchestraApi: retries must be 0 or more, with 0 <= FirstRetryDelay <= MaxRetryDelay.")
            .Validate(o => o.RetryBudget >= TimeSpan.Zero && o.Timeout > TimeSpan.Zero, "OrchestraApi: RetryBudget must be 0 or more and Timeout more than 0.")
            .ValidateOnStart();

        if (name is null)
        {
            services.AddTransient<IOrganisationsClient>(p => new OrganisationsClient(Http(p, httpName)));
            services.AddTransient<IOutcomesClient>(p => new OutcomesClient(Http(p, httpName)));
            services.AddTransient<IPlansClient>(p => new PlansClient(Http(p, httpName)));
            services.AddTransient<IConnectionsClient>(p => new ConnectionsClient(Http(p, httpName)));
            services.AddTransient<IResultsClient>(p => new ResultsClient(Http(p, httpName)));
            services.AddTransient<ISegmentsClient>(p => new SegmentsClient(Http(p, httpName)));
            services.AddTransient<IStatusClient>(p => new StatusClient(Http(p, httpName)));
            services.AddTransient<IBaselinesClient>(p => new BaselinesClient(Http(p, httpName)));
            services.AddTransient<IEventsClient>(p => new EventsClient(Http(p, httpName)));
            services.AddTransient<IWebhooksClient>(p => new WebhooksClient(Http(p, httpName)));
            services.AddTransient<ITriggersClient>(p => new TriggersClient(Http(p, httpName)));
            services.AddTransient<ITasksClient>(p => new TasksClient(Http(p, httpName)));
            services.AddTransient<IMaturityClient>(p => new MaturityClient(Http(p, httpName)));
        }
        else
        {
            services.AddKeyedTransient<IOrganisationsClient>(name, (p, _) => new OrganisationsClient(Http(p, httpName)));
            services.AddKeyedTransient<IOutcomesClient>(name, (p, _) => new OutcomesClient(Http(p, httpName)));
            services.AddKeyedTransient<IPlansClient>(name, (p, _) => new PlansClient(Http(p, httpName)));
            services.AddKeyedTransient<IConnectionsClient>(name, (p, _) => new ConnectionsClient(Http(p, httpName)));
            services.AddKeyedTransient<IResultsClient>(name, (p, _) => new ResultsClient(Http(p, httpName)));
            services.AddKeyedTransient<ISegmentsClient>(name, (p, _) => new SegmentsClient(Http(p, httpName)));
            services.AddKeyedTransient<IStatusClient>(name, (p, _) => new StatusClient(Http(p, httpName)));
            services.AddKeyedTransient<IBaselinesClient>(name, (p, _) => new BaselinesClient(Http(p, httpName)));
            services.AddKeyedTransient<IEventsClient>(name, (p, _) => new EventsClient(Http(p, httpName)));
            services.AddKeyedTransient<IWebhooksClient>(name, (p, _) => new WebhooksClient(Http(p, httpName)));
            services.AddKeyedTransient<ITriggersClient>(name, (p, _) => new TriggersClient(Http(p, httpName)));
            services.AddKeyedTransient<ITasksClient>(name, (p, _) => new TasksClient(Http(p, httpName)));
            services.AddKeyedTransient<IMaturityClient>(name, (p, _) => new MaturityClient(Http(p, httpName)));
        }

        return services.AddHttpClient(httpName)
            .ConfigureHttpClient((p, client) =>
            {
                var o = Options(p, httpName);
                client.BaseAddress = o.BaseAddress;
                client.Timeout = o.Timeout;
                client.DefaultRequestHeaders.Add("X-Api-Key", o.ApiKey);
            })
            .AddHttpMessageHandler(() => new ProblemHandler())
            .AddHttpMessageHandler(p => new RetryHandler(Options(p, httpName)));
    }

    private static HttpClient Http(IServiceProvider services, string name) => services.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    private static OrchestraApiClientOptions Options(IServiceProvider services, string name) =>
        services.GetRequiredService<IOptionsMonitor<OrchestraApiClientOptions>>().Get(name);

    private sealed record Registration(string? Name);
}
