using System.Net;
using System.Text;
using System.Text.Json;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Platform;

/// <summary>Validation answers a client can use: every problem at once, one entry per field, one voice (issue 8).</summary>
public sealed class ValidationAnswerTests(ApiFixture api) : ApiTest(api)
{
    private const string Valid = OutcomeInputTests.Valid;

    [Fact]
    public async Task every_problem_of_a_body_is_reported_at_once_one_entry_per_field()
    {
        var body = """
            {"startsOn":"2027-01-01","endsOn":"someday","budget":{"amount":10,"currency":"eur"},
             "kpis":[{"key":"clv","name":"CLV","unit":"EUR","baseline":"1","target":2,"direction":"sideways"}],"colour":"red"}
            """;

        var (status, problem) = await DefineAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Invalid input", problem.GetProperty("title").GetString());
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["budget.currency", "colour", "conductor", "endsOn", "kpis[0].baseline", "kpis[0].direction", "title"], fields);
        Assert.Contains("Up, Down", Message(problem, "kpis[0].direction"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{\"title\":")]
    public async Task an_empty_null_or_unreadable_body_is_a_400_for_the_body_without_server_type_names(string body)
    {
        var (status, problem) = await DefineAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _), problem.ToString());
        Assert.DoesNotContain("OrchestraApi", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Implicit body", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"startsOn\":\"2027-01-01\"", "\"startsOn\":\"1999-12-31\"", "startsOn")]
    [InlineData("\"endsOn\":\"2027-12-31\"", "\"endsOn\":\"2101-01-01\"", "endsOn")]
    [InlineData("\"amount\":1000", "\"amount\":1000.005", "budget.amount")]
    [InlineData("\"amount\":1000,\"currency\":\"EUR\"", "\"amount\":1000.5,\"currency\":\"JPY\"", "budget.amount")]
    [InlineData("\"direction\":\"Up\"", "\"direction\":\"up\"", "kpis[0].direction")]
    [InlineData("\"title\":\"Grow CLV\"", "\"title\":12", "title")]
    [InlineData("\"title\":\"Grow CLV\"", "\"title\":\"   \"", "title")]
    public async Task out_of_bounds_values_are_a_400_naming_the_field_in_the_apis_own_words(string from, string to, string field)
    {
        var (status, problem) = await DefineAsync(Valid.Replace(from, to, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrEmpty(Message(problem, field)), problem.ToString());
        Assert.DoesNotContain("The field", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task amounts_within_the_currencys_decimals_are_accepted()
    {
        var (status, _) = await DefineAsync(Valid.Replace("\"amount\":1000,\"currency\":\"EUR\"", "\"amount\":1000.125,\"currency\":\"KWD\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, status);
    }

    [Fact]
    public async Task enum_names_are_exact_in_queries_as_in_bodies_and_the_answer_lists_them()
    {
        var organisation = await Api.NewOrganisationAsync();
        using var http = await organisation.HttpAsAsync(Role.Cmo);

        using var response = await http.GetAsync(new Uri("/outcomes?status=active", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("Draft, Active", Message(problem, "status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task query_values_are_checked_in_the_same_voice_as_bodies()
    {
        var organisation = await Api.NewOrganisationAsync();
        using var http = await organisation.HttpAsAsync(Role.Cmo);

        using var response = await http.GetAsync(new Uri($"/outcomes?conductor={new string('a', 201)}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Invalid input", problem.GetProperty("title").GetString());
        Assert.Equal("must be at most 200 characters.", Message(problem, "conductor"));
    }

    private async Task<(HttpStatusCode Status, JsonElement Problem)> DefineAsync(string body)
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        using var http = Api.Http(key);
        using var response = await http.PostAsync(new Uri("/outcomes", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Empty((await Api.Outcomes(key).ListOutcomesAsync()).Items);
        }

        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string Message(JsonElement problem, string field) =>
        problem.GetProperty("errors").TryGetProperty(field, out var messages) ? string.Join(" ", messages.EnumerateArray().Select(m => m.GetString())) : "";

    [Fact]
    public async Task header_problems_are_named_after_the_header_and_too_deep_a_body_says_so()
    {
        var organisation = await Api.NewOrganisationAsync();
        using var http = await organisation.HttpAsAsync(Role.Conductor);
        using var ifMatch = new HttpRequestMessage(HttpMethod.Patch, $"/outcomes/{Guid.NewGuid()}") { Content = new StringContent("""{"title":"x"}""", Encoding.UTF8, "application/json") };
        ifMatch.Headers.TryAddWithoutValidation("If-Match", "\"abc\"");
        using var idempotency = new HttpRequestMessage(HttpMethod.Post, "/outcomes") { Content = new StringContent(OutcomeInputTests.Valid, Encoding.UTF8, "application/json") };
        idempotency.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 101));

        using var badIfMatch = await http.SendAsync(ifMatch);
        using var badKey = await http.SendAsync(idempotency);
        var (status, deep) = await DefineAsync(new string('[', 40) + new string(']', 40));

        Assert.Equal(HttpStatusCode.BadRequest, badIfMatch.StatusCode);
        Assert.Contains("\"If-Match\":", await badIfMatch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("\"Idempotency-Key\":", await badKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("deeper", Message(deep, "body"), StringComparison.Ordinal);
    }
}
