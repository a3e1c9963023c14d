using System.Net;
using System.Text.Json;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Platform;

/// <summary>Per-key and per-client budgets; failed authentication throttled harder (issue 8, defect 6).</summary>
public sealed class RateLimitTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_key_over_its_budget_gets_429_problems_with_retry_after_while_another_key_is_unaffected()
    {
        await using var fresh = await Api.StartFreshApiAsync(settings: Limits(("PerKeyBurst", "5"), ("PerKeyPerSecond", "1")));
        var organisation = await fresh.NewOrganisationAsync();
        using var busy = fresh.Http(await organisation.KeyAsync(Role.Cmo));
        using var calm = fresh.Http(await organisation.KeyAsync(Role.Cmo));

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(await busy.GetAsync(new Uri("/outcomes", UriKind.Relative)));
        }

        using var other = await calm.GetAsync(new Uri("/outcomes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, answers[0].StatusCode);
        Assert.Equal("5", answers[0].Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("4", answers[0].Headers.GetValues("RateLimit-Remaining").Single());
        var limited = answers.Last();
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("0", limited.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.InRange(answers.Count(a => a.StatusCode == HttpStatusCode.OK), 5, 6);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        answers.ForEach(a => a.Dispose());
    }

    [Fact]
    public async Task wrong_secrets_for_a_real_keys_id_are_throttled_long_before_400_tries_and_never_lock_the_key_out()
    {
        await using var fresh = await Api.StartFreshApiAsync(settings: Limits(("FailedAuthenticationPerMinute", "10")));
        var organisation = await fresh.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Cmo);
        var forged = key[..key.LastIndexOf('_')] + "_" + new string('0', 64);
        using var attacker = Client(fresh, forged, "203.0.113.66");
        using var owner = Client(fresh, key, "198.51.100.7");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await attacker.GetAsync(new Uri("/outcomes", UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        using var real = await owner.GetAsync(new Uri("/outcomes", UriKind.Relative));

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
    }

    [Fact]
    public async Task health_checks_are_never_limited_but_anonymous_calls_are()
    {
        await using var fresh = await Api.StartFreshApiAsync(settings: Limits(("AnonymousPerMinute", "2")));
        using var http = fresh.Http();

        var health = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
            health.Add(response.StatusCode);
        }

        var documents = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
            documents.Add(response.StatusCode);
        }

        Assert.All(health, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], documents);
    }

    [Fact]
    public async Task retry_after_is_true_the_request_sent_when_it_says_is_served()
    {
        await using var fresh = await Api.StartFreshApiAsync(settings: Limits(("PerKeyBurst", "2"), ("PerKeyPerSecond", "1")));
        var organisation = await fresh.NewOrganisationAsync();
        using var http = fresh.Http(await organisation.KeyAsync(Role.Cmo));

        HttpResponseMessage answer;
        do
        {
            answer = await http.GetAsync(new Uri("/outcomes", UriKind.Relative));
        }
        while (answer.StatusCode == HttpStatusCode.OK);

        var wait = answer.Headers.RetryAfter?.Delta;
        Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
        Assert.NotNull(wait);
        await Task.Delay(wait.Value);
        using var later = await http.GetAsync(new Uri("/outcomes", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        answer.Dispose();
    }

    [Fact]
    public async Task behind_a_proxy_on_loopback_each_client_has_its_own_budget_and_a_forwarded_address_from_elsewhere_is_not_believed()
    {
        await using var fresh = await Api.StartFreshApiAsync(settings: Limits(("AnonymousPerMinute", "2")));
        using var first = Forwarded(fresh, "127.0.0.1", "203.0.113.10");
        using var second = Forwarded(fresh, "127.0.0.1", "203.0.113.20");
        using var spoofer = Forwarded(fresh, "198.51.100.7", "203.0.113.30");
        using var sameSpoofer = Forwarded(fresh, "198.51.100.7", "203.0.113.40");

        var firstAnswers = await StatusesAsync(first, 3);
        var secondAnswers = await StatusesAsync(second, 2);
        var spoofed = await StatusesAsync(spoofer, 2);
        var spoofedAgain = await StatusesAsync(sameSpoofer, 1);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], firstAnswers);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], secondAnswers);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], spoofed);
        Assert.Equal([HttpStatusCode.TooManyRequests], spoofedAgain);
    }

    private static async Task<List<HttpStatusCode>> StatusesAsync(HttpClient http, int requests)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < requests; i++)
        {
            using var response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    /// <summary>An anonymous client connecting from <paramref name="peer"/> that says it forwards for <paramref name="client"/>.</summary>
    private static HttpClient Forwarded(ApiFixture host, string peer, string client)
    {
        var http = new HttpClient(host.Factory.Server.CreateHandler(c => c.Connection.RemoteIpAddress = IPAddress.Parse(peer))) { BaseAddress = new Uri("http://localhost") };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
        return http;
    }

    private static Dictionary<string, string> Limits(params (string Name, string Value)[] limits) =>
        limits.ToDictionary(l => $"Orchestra__RateLimits__{l.Name}", l => l.Value);

    /// <summary>A client at its own address (the in-memory server has none of its own).</summary>
    private static HttpClient Client(ApiFixture host, string apiKey, string address)
    {
        var client = new HttpClient(host.Factory.Server.CreateHandler(c => c.Connection.RemoteIpAddress = IPAddress.Parse(address))) { BaseAddress = new Uri("http://localhost") };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }
}
