using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Outcomes;

/// <summary>Bad input is a 400 problem document naming the field, never a 500, and stores nothing.</summary>
public sealed class OutcomeInputTests(ApiFixture api) : ApiTest(api)
{
    /// <summary>A valid outcome definition as raw JSON, to break one piece at a time.</summary>
    internal const string Valid = """
        {"title":"Grow CLV","conductor":"Ada","startsOn":"2027-01-01","endsOn":"2027-12-31","budget":{"amount":1000,"currency":"EUR"},
         "kpis":[{"key":"clv","name":"CLV","unit":"EUR","baseline":1,"target":2,"direction":"Up"}]}
        """;

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "malformed JSON", """{"title":"Grow CLV",""", "" },
        { "unknown property", Valid.Replace("\"title\"", "\"colour\":\"red\",\"title\"", StringComparison.Ordinal), "colour" },
        { "unknown enum value", Valid.Replace("\"Up\"", "\"sideways\"", StringComparison.Ordinal), "kpis[0].direction" },
        { "number for an enum", Valid.Replace("\"Up\"", "0", StringComparison.Ordinal), "kpis[0].direction" },
        { "oversize string", Valid.Replace("\"Grow CLV\"", $"\"{new string('x', 201)}\"", StringComparison.Ordinal), "title" },
        { "empty required string", Valid.Replace("\"Grow CLV\"", "\"\"", StringComparison.Ordinal), "title" },
        { "missing required field", Valid.Replace("\"conductor\":\"Ada\",", "", StringComparison.Ordinal), "conductor" },
        { "null for a required field", Valid.Replace("\"Ada\"", "null", StringComparison.Ordinal), "conductor" },
        { "negative budget", Valid.Replace("\"amount\":1000", "\"amount\":-1", StringComparison.Ordinal), "budget.amount" },
        { "number out of range", Valid.Replace("\"baseline\":1", "\"baseline\":1e300", StringComparison.Ordinal), "kpis[0].baseline" },
        { "number as a string", Valid.Replace("\"amount\":1000", "\"amount\":\"1000\"", StringComparison.Ordinal), "budget.amount" },
        { "unknown currency", Valid.Replace("\"EUR\"}", "\"XYZ\"}", StringComparison.Ordinal), "budget.currency" },
        { "invalid date", Valid.Replace("2027-12-31", "2027-13-45", StringComparison.Ordinal), "endsOn" },
        { "invalid KPI key", Valid.Replace("\"key\":\"clv\"", "\"key\":\"Customer Value!\"", StringComparison.Ordinal), "kpis[0].key" },
        { "too many segments", Valid.Replace("\"conductor\"", $"\"segments\":[{string.Join(',', Enumerable.Range(0, 21).Select(i => $"\"s{i}\""))}],\"conductor\"", StringComparison.Ordinal), "segments" },
        { "oversize segment", Valid.Replace("\"conductor\"", $"\"segments\":[\"{new string('s', 101)}\"],\"conductor\"", StringComparison.Ordinal), "segments" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task a_bad_outcome_definition_is_a_400_naming_the_field_and_stores_nothing(string why, string body, string field)
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        using var http = Api.Http(key);

        using var response = await http.PostAsync(new Uri("/outcomes", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("traceId", out _), why);
        if (field.Length > 0)
        {
            var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
            Assert.True(fields.Contains(field, StringComparer.Ordinal), $"{why}: expected '{field}' among [{string.Join(", ", fields)}]");
        }

        var stored = await Api.Outcomes(key).ListOutcomesAsync();
        Assert.Empty(stored.Items);
    }

    [Fact]
    public async Task the_valid_body_of_those_cases_is_accepted()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        using var http = Api.Http(key);

        using var response = await http.PostAsync(new Uri("/outcomes", UriKind.Relative), new StringContent(Valid, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Single((await Api.Outcomes(key).ListOutcomesAsync()).Items);
    }

    [Fact]
    public async Task a_bad_revision_is_a_400_and_leaves_the_outcome_as_it_was()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var outcome = await Api.Outcomes(key).DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        using var http = Api.Http(key);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/outcomes/{outcome.Id}")
        {
            Content = new StringContent("""{"title":"ok","budget":{"amount":5,"currency":"eur"}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", outcome.Version().ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"budget.currency\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var after = await Api.Outcomes(key).GetOutcomeAsync(outcome.Id);
        Assert.Equal(outcome.Version, after.Version);
        Assert.Equal(outcome.Title, after.Title);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("cursor=not-a-cursor!", "cursor")]
    [InlineData("status=sleeping", "status")]
    public async Task bad_list_parameters_are_a_400(string query, string field)
    {
        var organisation = await Api.NewOrganisationAsync();
        using var http = await organisation.HttpAsAsync(Role.Cmo);

        using var response = await http.GetAsync(new Uri($"/outcomes?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
