using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Platform;

/// <summary>Problems a client can switch on: one type and title per status, every status declared, readable messages (issue 18.16).</summary>
public sealed partial class ProblemTests(ApiFixture api) : ApiTest(api)
{
    private static readonly string[] Everywhere = ["414", "431"];
    private static readonly string[] WithBody = ["408", "413", "415"];

    [Fact]
    public async Task the_contract_gives_each_status_one_type_and_title_and_declares_the_size_limits_on_every_operation()
    {
        var contract = await ContractAsync(Api);
        var gaps = new List<string>();

        foreach (var (operation, statuses) in contract.Statuses)
        {
            gaps.AddRange(Everywhere.Where(s => !statuses.Contains(s)).Select(s => $"{operation}: {s} not declared"));
            if (contract.HasBody.Contains(operation))
            {
                gaps.AddRange(WithBody.Where(s => !statuses.Contains(s)).Select(s => $"{operation}: {s} not declared"));
            }
        }

        Assert.Empty(gaps);
        Assert.Empty(contract.Inconsistent);
        Assert.All(contract.Kinds, k => Assert.Matches("^https://", k.Value.Type));
        Assert.Equal("Not found", contract.Kinds[404].Title);
        Assert.True(contract.Kinds.Keys.ToHashSet().IsSupersetOf([400, 401, 403, 404, 408, 409, 412, 413, 414, 415, 422, 428, 429, 431, 500, 503]));
    }

    [Fact]
    public async Task every_problem_carries_its_statuss_type_and_title_and_the_headers_its_operation_declares()
    {
        await using var fresh = await Api.StartFreshApiAsync(kestrel: true, settings: new Dictionary<string, string>
        {
            ["Orchestra__MaxRequestBodyBytes"] = "4096",
            ["Orchestra__RateLimits__FailedAuthenticationPerMinute"] = "2",
            ["Orchestra__RateLimits__PerKeyBurst"] = "40",
            ["Orchestra__RateLimits__PerKeyPerSecond"] = "1",
        });
        var contract = await ContractAsync(fresh);
        var organisation = await fresh.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        using var http = fresh.Http(key);
        using var cmo = fresh.Http(await organisation.KeyAsync(Role.Cmo));
        using var hammered = fresh.Http(await organisation.KeyAsync(Role.Cmo));
        using var anonymous = fresh.Http();
        using var forged = fresh.Http("orch_forged_" + new string('0', 64));
        var outcome = await fresh.Outcomes(key).DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        var active = await fresh.Outcomes(key).ActivateOutcomeAsync(outcome.Id, outcome.Version);
        var one = $"/outcomes/{outcome.Id}";

        var answers = new List<(string Operation, HttpResponseMessage Response)>
        {
            ("post /outcomes", await http.PostAsync(new Uri("/outcomes", UriKind.Relative), Json("{}"))),
            ("get /outcomes", await http.GetAsync(new Uri("/outcomes?status=nope", UriKind.Relative))),
            ("get /outcomes", await anonymous.GetAsync(new Uri("/outcomes", UriKind.Relative))),
            ("post /outcomes", await cmo.PostAsync(new Uri("/outcomes", UriKind.Relative), Json(OutcomeInputTests.Valid))),
            ("get /outcomes/{outcomeId}", await http.GetAsync(new Uri($"/outcomes/{Guid.NewGuid()}", UriKind.Relative))),
            ("post /outcomes/{outcomeId}/activate", await SendAsync(http, HttpMethod.Post, $"{one}/activate", null, $"\"{active.Version}\"")),
            ("patch /outcomes/{outcomeId}", await SendAsync(http, HttpMethod.Patch, one, """{"title":"New"}""", "\"999\"")),
            ("patch /outcomes/{outcomeId}", await SendAsync(http, HttpMethod.Patch, one, """{"title":"New"}""", null)),
            ("post /outcomes", await http.PostAsync(new Uri("/outcomes", UriKind.Relative), new StringContent(OutcomeInputTests.Valid, Encoding.UTF8, "text/plain"))),
            ("post /outcomes", await SendAsync(http, HttpMethod.Post, "/outcomes", OutcomeInputTests.Valid, null, "reused")),
            ("post /outcomes", await SendAsync(http, HttpMethod.Post, "/outcomes", OutcomeInputTests.Valid.Replace("Grow CLV", "Other", StringComparison.Ordinal), null, "reused")),
            ("post /outcomes", await http.PostAsync(new Uri("/outcomes", UriKind.Relative), Json($$"""{"title":"{{new string('x', 5000)}}"}"""))),
            ("post /outcomes", await http.PostAsync(new Uri("/outcomes", UriKind.Relative), new ResponseHeaderTests.ChunkedContent($$"""{"title":"{{new string('x', 5000)}}"}"""))),
            ("get /outcomes", await http.GetAsync(new Uri($"/outcomes?conductor={new string('a', 10_000)}", UriKind.Relative))),
            ("get /outcomes", await SendAsync(http, HttpMethod.Get, "/outcomes", null, null, padding: new string('p', 40_000))),
        };
        for (var i = 0; i < 3; i++)
        {
            answers.Add(("get /outcomes", await forged.GetAsync(new Uri("/outcomes", UriKind.Relative))));
        }

        HttpResponseMessage limited;
        var sent = 0;
        do
        {
            limited = await hammered.GetAsync(new Uri("/outcomes", UriKind.Relative));
            answers.Add(("get /outcomes", limited));
        }
        while (limited.StatusCode != HttpStatusCode.TooManyRequests && ++sent < 100);

        var seen = new HashSet<int>();
        foreach (var (operation, response) in answers.Where(a => !a.Response.IsSuccessStatusCode))
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            var what = $"{operation} {status}: {text[..Math.Min(text.Length, 300)]}";
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", what);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.True(contract.Statuses[operation].Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{what}: status not declared");
            Assert.Equal(contract.Kinds[status].Type, problem.GetProperty("type").GetString());
            Assert.Equal(contract.Kinds[status].Title, problem.GetProperty("title").GetString());
            Assert.True(response.Headers.Contains("RateLimit-Limit"), $"{what}: no RateLimit headers");
            Assert.True(problem.TryGetProperty("detail", out var detail), $"{what}: no detail");
            Assert.DoesNotMatch(UnreadableWording(), detail.GetString());
            seen.Add(status);
        }

        Assert.Equal([400, 401, 403, 404, 409, 412, 413, 414, 415, 422, 428, 429, 431], seen.Order());
        // The refill of one token a second, rounded up with the margin for the limiter's timer tick.
        Assert.Equal(TimeSpan.FromSeconds(2), limited.Headers.RetryAfter?.Delta);
        Assert.EndsWith("retry in 2 seconds.", JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        answers.ForEach(a => a.Response.Dispose());
    }

    [Fact]
    public async Task messages_print_numbers_readably_and_use_the_right_article()
    {
        var world = await PlanWorld.CreateAsync(Api);
        using var admin = Api.Http(await world.Organisation.KeyAsync(Role.Admin));
        using var bootstrap = Api.Http(ApiFixture.BootstrapKey);
        var messages = new List<string>();
        var document = (await admin.GetFromJsonAsync<JsonObject>(new Uri("/openapi/v1.json", UriKind.Relative)))!;

        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (operation!["requestBody"]?["content"]?["application/json"]?["example"] is not { } example)
                {
                    continue;
                }

                var url = IdsInPath().Replace(path, m => m.Value == "{key}" ? "clv" : Guid.NewGuid().ToString());
                foreach (var field in JsonFields.Of(example, JsonValueKind.Number))
                {
                    foreach (var bad in new[] { "100000000000", "-100000000000", "1e20", "0.5" })
                    {
                        var body = JsonFields.Replace(example, field, JsonNode.Parse(bad)!).ToJsonString();
                        using var response = await SendAsync(path.StartsWith("/organisations", StringComparison.Ordinal) ? bootstrap : admin, HttpMethod.Parse(method), url, body, "\"1\"");
                        if (response.StatusCode == HttpStatusCode.BadRequest)
                        {
                            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                            messages.AddRange(problem.GetProperty("errors").EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(m => $"{e.Name}: {m.GetString()}")));
                        }
                    }
                }
            }
        }

        var advertising = await world.OrchestratorAsync(Discipline.Advertising);
        await advertising.DraftPlanAsync(world.Plan(Discipline.Advertising));
        var twice = await Assert.ThrowsAsync<ApiException<Problem>>(() => advertising.DraftPlanAsync(world.Plan(Discipline.Advertising)));

        Assert.True(messages.Count > 30, $"only {messages.Count} messages were swept");
        Assert.All(messages, m => Assert.DoesNotMatch(UnreadableWording(), m));
        Assert.Contains("size: must be between 0 and 10,000,000,000.", messages);
        Assert.Contains("lagDays: must be between -90 and 365.", messages);
        Assert.Contains("an Advertising plan", twice.Result.Detail, StringComparison.Ordinal);
    }

    /// <summary>E notation, a long number without separators, "a" before a vowel, or one of a plural.</summary>
    [GeneratedRegex(@"\dE[+-]?\d|(?<![\w-])\d{5,}(?![\w-])|\ba [AEIOU]|(?<![\w.,-])1 (?!(?:is|was|has)\b)\w+s\b")]
    private static partial Regex UnreadableWording();

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex IdsInPath();

    private sealed record Contract(
        Dictionary<string, HashSet<string>> Statuses, HashSet<string> HasBody, Dictionary<int, (string Type, string Title)> Kinds, List<string> Inconsistent);

    /// <summary>Each operation's statuses ("get /outcomes"), and the type and title the contract's examples give each status.</summary>
    private static async Task<Contract> ContractAsync(ApiFixture api)
    {
        using var http = api.Http();
        var document = (await http.GetFromJsonAsync<JsonObject>(new Uri("/openapi/v1.json", UriKind.Relative)))!;
        var contract = new Contract([], [], [], []);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var name = $"{method} {path}";
                contract.Statuses[name] = [.. operation!["responses"]!.AsObject().Select(r => r.Key)];
                if (operation["requestBody"] is not null)
                {
                    contract.HasBody.Add(name);
                }

                foreach (var (status, response) in operation["responses"]!.AsObject())
                {
                    if (response?["content"]?["application/problem+json"]?["example"] is not { } example)
                    {
                        continue;
                    }

                    var kind = (example["type"]?.GetValue<string>() ?? "", example["title"]?.GetValue<string>() ?? "");
                    var code = int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
                    if (contract.Kinds.TryGetValue(code, out var known) && known != kind || kind.Item1.Length == 0)
                    {
                        contract.Inconsistent.Add($"{name} {status}: {kind} where others say {known}");
                    }

                    contract.Kinds.TryAdd(code, kind);
                }
            }
        }

        return contract;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string? body, string? ifMatch, string? idempotencyKey = null, string? padding = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = Json(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (padding is not null)
        {
            request.Headers.Add("X-Padding", padding);
        }

        return await client.SendAsync(request);
    }
}
