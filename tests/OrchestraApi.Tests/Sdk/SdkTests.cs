using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Sdk;

/// <summary>
/// The SDK as an agency uses it: registered with AddOrchestraApiClient, calling the real API (in-process host,
/// real PostgreSQL). Only the network between them is simulated where a test needs it to fail.
/// </summary>
public sealed class SdkTests(ApiFixture api) : ApiTest(api)
{
    private static ServiceProvider Register(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        register(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private IHttpClientBuilder AddClient(IServiceCollection services, string key, string? name = null, int maxRetries = 3, ApiFixture? host = null)
    {
        void Configure(OrchestraApiClientOptions o)
        {
            o.BaseAddress = new Uri("http://localhost/");
            o.ApiKey = key;
            o.MaxRetries = maxRetries;
            o.FirstRetryDelay = TimeSpan.FromMilliseconds(10);
        }

        var builder = name is null ? services.AddOrchestraApiClient(Configure) : services.AddOrchestraApiClient(name, Configure);
        return builder.ConfigurePrimaryHttpMessageHandler(() => (host ?? Api).Factory.Server.CreateHandler());
    }

    [Fact]
    public async Task invalid_input_is_a_validation_problem_naming_each_field_with_its_trace_id_in_the_message()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        await using var provider = Register(s => AddClient(s, key));
        var outcomes = provider.GetRequiredService<IOutcomesClient>();
        var request = OutcomeSamples.Define(kpis: OutcomeSamples.Clv());
        request.Budget = new Money { Amount = 1_000m, Currency = "eur" };
        request.Kpis = [new KpiDefinition { Key = "Not A Key", Name = "x", Unit = "%", Baseline = 1, Target = 2, Direction = KpiDirection.Up }];

        var e = await Assert.ThrowsAsync<ValidationProblemException>(() => outcomes.DefineOutcomeAsync(request));

        Assert.Equal(400, e.StatusCode);
        Assert.Equal(["budget.currency", "kpis[0].key"], e.Errors.Keys.Order());
        Assert.NotNull(e.TraceId);
        Assert.StartsWith("400 Invalid input: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(e.TraceId, e.Message, StringComparison.Ordinal);
        Assert.Contains("budget.currency", e.Response, StringComparison.Ordinal);
        Assert.Empty((await outcomes.ListOutcomesAsync()).Items);
    }

    [Fact]
    public async Task problems_are_caught_by_meaning_not_found_conflict_with_its_rule_and_precondition_failed()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        await using var provider = Register(s => AddClient(s, key));
        var outcomes = provider.GetRequiredService<IOutcomesClient>();
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));

        var missing = await Assert.ThrowsAsync<NotFoundProblemException>(() => outcomes.GetOutcomeAsync(Guid.NewGuid()));
        var conflict = await Assert.ThrowsAsync<ConflictProblemException>(() => outcomes.AddKpiAsync(outcome.Id, outcome.Version, OutcomeSamples.Clv()));
        var stale = await Assert.ThrowsAsync<PreconditionFailedProblemException>(() => outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version + 7));

        Assert.Equal(404, missing.StatusCode);
        Assert.Equal(("kpi-key-unique", 409), (conflict.Rule, conflict.StatusCode));
        Assert.Contains("(rule: kpi-key-unique)", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(412, stale.StatusCode);
        Assert.Contains($"version {outcome.Version + 7}", stale.Detail, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ApiException<Problem>>(stale);
    }

    [Fact]
    public async Task a_rate_limited_call_is_retried_and_when_retries_run_out_says_when_to_come_back()
    {
        await using var fresh = await Api.StartFreshApiAsync(settings: new Dictionary<string, string>
        {
            ["Orchestra__RateLimits__PerKeyBurst"] = "2",
            ["Orchestra__RateLimits__PerKeyPerSecond"] = "1",
        });
        var organisation = await fresh.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Cmo);
        await using var impatient = Register(s => AddClient(s, key, maxRetries: 0, host: fresh));
        await using var patient = Register(s => AddClient(s, key, maxRetries: 5, host: fresh));
        var outcomes = impatient.GetRequiredService<IOutcomesClient>();

        var limited = await Assert.ThrowsAsync<RateLimitedProblemException>(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await outcomes.ListOutcomesAsync();
            }
        });
        var afterWaiting = await patient.GetRequiredService<IOutcomesClient>().ListOutcomesAsync();

        Assert.Equal(429, limited.StatusCode);
        Assert.True(limited.RetryAfter > TimeSpan.Zero, $"Retry-After {limited.RetryAfter}");
        Assert.Empty(afterWaiting.Items);
    }

    [Fact]
    public async Task a_create_whose_answer_is_lost_is_retried_with_the_generated_idempotency_key_and_creates_exactly_one()
    {
        var organisation = await Api.NewOrganisationAsync();
        var lossy = new LoseFirstAnswer(HttpMethod.Post, "/outcomes");
        var key = await organisation.KeyAsync(Role.Conductor);
        await using var provider = Register(s => AddClient(s, key).AddHttpMessageHandler(() => lossy));
        var outcomes = provider.GetRequiredService<IOutcomesClient>();

        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));

        var listed = await outcomes.ListOutcomesAsync();
        Assert.Equal([outcome.Id], listed.Items.Select(o => o.Id));
        Assert.Equal(2, lossy.Sent.Count);
        Assert.Single(lossy.Sent.Distinct());
        Assert.True(Guid.TryParse(lossy.Sent[0], out _), $"generated key {lossy.Sent[0]}");
        Assert.Equal(1, lossy.Lost);
    }

    [Fact]
    public async Task a_503_is_retried_after_the_time_in_retry_after()
    {
        var organisation = await Api.NewOrganisationAsync();
        var unavailable = new UnavailableOnce(TimeSpan.FromSeconds(1));
        var key = await organisation.KeyAsync(Role.Conductor);
        await using var provider = Register(s => AddClient(s, key).AddHttpMessageHandler(() => unavailable));
        var outcomes = provider.GetRequiredService<IOutcomesClient>();

        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));

        Assert.Equal(2, unavailable.Attempts.Count);
        Assert.True(unavailable.Attempts[1] - unavailable.Attempts[0] >= TimeSpan.FromSeconds(0.95), $"waited {unavailable.Attempts[1] - unavailable.Attempts[0]}");
        Assert.Single((await outcomes.ListOutcomesAsync()).Items, o => o.Id == outcome.Id);
    }

    [Fact]
    public async Task a_proxys_502_after_the_api_applied_a_change_is_retried_with_the_same_key_and_the_change_applies_once()
    {
        var organisation = await Api.NewOrganisationAsync();
        var lost = new AnswerLostOnce();
        var key = await organisation.KeyAsync(Role.Conductor);
        await using var provider = Register(s => AddClient(s, key).AddHttpMessageHandler(() => lost));
        var outcomes = provider.GetRequiredService<IOutcomesClient>();

        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "Defined once"));

        Assert.Equal(2, lost.Keys.Count);
        Assert.Equal(lost.Keys[0], lost.Keys[1]);
        Assert.Single((await outcomes.ListOutcomesAsync()).Items, o => o.Title == "Defined once" && o.Id == outcome.Id);
    }

    [Fact]
    public async Task every_item_of_a_list_longer_than_a_page_comes_through_one_async_enumerable()
    {
        var organisation = await Api.NewOrganisationAsync();
        var counter = new CountRequests();
        var key = await organisation.KeyAsync(Role.Conductor);
        await using var provider = Register(s => AddClient(s, key).AddHttpMessageHandler(() => counter));
        var outcomes = provider.GetRequiredService<IOutcomesClient>();
        var defined = new List<Guid>();
        for (var i = 0; i < 130; i++)
        {
            defined.Add((await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: $"Outcome {i:000}"))).Id);
        }

        counter.Reset();
        var listed = new List<Guid>();
        await foreach (var outcome in outcomes.ListAllOutcomesAsync())
        {
            listed.Add(outcome.Id);
        }

        Assert.Equal(defined, listed);
        Assert.Equal(2, counter.Count);
    }

    [Fact]
    public async Task an_agency_serving_two_brands_registers_one_keyed_client_per_organisation()
    {
        var brandA = await Api.NewOrganisationAsync("Brand A");
        var brandB = await Api.NewOrganisationAsync("Brand B");
        var keyA = await brandA.KeyAsync(Role.Conductor);
        var keyB = await brandB.KeyAsync(Role.Conductor);
        await using var provider = Register(s =>
        {
            AddClient(s, keyA, name: "brand-a");
            AddClient(s, keyB, name: "brand-b");
        });
        var a = provider.GetRequiredKeyedService<IOutcomesClient>("brand-a");
        var b = provider.GetRequiredKeyedService<IOutcomesClient>("brand-b");

        var ofA = await a.DefineOutcomeAsync(OutcomeSamples.Define(title: "A's outcome"));
        var ofB = await b.DefineOutcomeAsync(OutcomeSamples.Define(title: "B's outcome"));

        Assert.Equal([ofA.Id], (await a.ListOutcomesAsync()).Items.Select(o => o.Id));
        Assert.Equal([ofB.Id], (await b.ListOutcomesAsync()).Items.Select(o => o.Id));
        await Assert.ThrowsAsync<NotFoundProblemException>(() => a.GetOutcomeAsync(ofB.Id));
        Assert.Null(provider.GetService<IOutcomesClient>());
    }

    [Fact]
    public void registering_the_same_client_twice_fails_at_start_up_instead_of_sending_two_keys()
    {
        var services = new ServiceCollection();
        services.AddOrchestraApiClient(new Uri("http://localhost/"), "orch_one");
        services.AddOrchestraApiClient("brand-a", o => (o.BaseAddress, o.ApiKey) = (new Uri("http://localhost/"), "orch_a"));

        var twice = Assert.Throws<InvalidOperationException>(() => services.AddOrchestraApiClient(new Uri("http://localhost/"), "orch_two"));
        var twiceNamed = Assert.Throws<InvalidOperationException>(() => services.AddOrchestraApiClient("brand-a", o => o.ApiKey = "orch_b"));

        Assert.Contains("already registered", twice.Message, StringComparison.Ordinal);
        Assert.Contains("'brand-a'", twiceNamed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_client_is_configured_from_a_configuration_section_and_refuses_an_incomplete_one()
    {
        var organisation = await Api.NewOrganisationAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OrchestraApi:BaseAddress"] = "http://localhost/",
            ["OrchestraApi:ApiKey"] = await organisation.KeyAsync(Role.Cmo),
            ["OrchestraApi:MaxRetries"] = "1",
            ["Broken:BaseAddress"] = "http://localhost/",
        }).Build();
        await using var provider = Register(s => s.AddOrchestraApiClient(configuration.GetSection("OrchestraApi")).ConfigurePrimaryHttpMessageHandler(() => Api.Factory.Server.CreateHandler()));
        await using var broken = Register(s => s.AddOrchestraApiClient(configuration.GetSection("Broken")));

        var page = await provider.GetRequiredService<IOutcomesClient>().ListOutcomesAsync();

        Assert.Empty(page.Items);
        Assert.Equal(1, provider.GetRequiredService<IOptionsMonitor<OrchestraApiClientOptions>>().Get("OrchestraApi").MaxRetries);
        var refused = Assert.Throws<OptionsValidationException>(() => broken.GetRequiredService<IOutcomesClient>());
        Assert.Contains("ApiKey is required", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>The first request meets a 503 with Retry-After (as when the database is away) without reaching the API.</summary>
    private sealed class UnavailableOnce(TimeSpan retryAfter) : DelegatingHandler
    {
        public List<DateTimeOffset> Attempts { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Attempts.Add(DateTimeOffset.UtcNow);
            if (Attempts.Count > 1)
            {
                return base.SendAsync(request, cancellationToken);
            }

            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request };
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(retryAfter);
            return Task.FromResult(response);
        }
    }

    /// <summary>
    /// The first request reaches the API and is applied, but its answer is replaced by a proxy's 502 (as when the
    /// node died before answering); the Idempotency-Key of every attempt is kept.
    /// </summary>
    private sealed class AnswerLostOnce : DelegatingHandler
    {
        public List<string> Keys { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get)
            {
                return await base.SendAsync(request, cancellationToken);
            }

            Keys.Add(request.Headers.GetValues("Idempotency-Key").Single());
            var response = await base.SendAsync(request, cancellationToken);
            if (Keys.Count > 1)
            {
                return response;
            }

            response.Dispose();
            return new HttpResponseMessage(HttpStatusCode.BadGateway) { RequestMessage = request };
        }
    }

    private sealed class CountRequests : DelegatingHandler
    {
        private int _count;

        public int Count => _count;

        public void Reset() => _count = 0;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
