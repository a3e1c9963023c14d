using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Platform;

/// <summary>
/// Input an attacker or a clumsy client sends, swept over every operation of the served contract: always a 4xx problem
/// naming the field, never a 500 (issue 8, defects 1 and 4).
/// </summary>
public sealed class HostileInputTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task nul_or_an_unpaired_surrogate_in_any_string_of_any_body_is_a_400_naming_that_field()
    {
        var (admin, bootstrap) = await ClientsAsync();
        var checkedFields = 0;
        foreach (var operation in await OperationsAsync())
        {
            if (operation.Example is null)
            {
                continue;
            }

            // Escaped in the JSON text as an attacker would send them (a serializer would replace the lone surrogate).
            foreach (var (field, poison) in JsonFields.Of(operation.Example, JsonValueKind.String).SelectMany(f => new[] { (f, "bad\\u0000text"), (f, "bad\\ud800text") }))
            {
                var body = JsonFields.Replace(operation.Example, field, "POISON").ToJsonString().Replace("POISON", poison, StringComparison.Ordinal);
                using var response = await SendAsync(operation.UsesBootstrapKey ? bootstrap : admin, operation, Guid.NewGuid(), body);

                var problem = await ProblemAsync(response, $"{operation.Id} {field}");
                Assert.Equal(400, problem.GetProperty("status").GetInt32());
                Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{operation.Id}: expected '{field}' in {problem}");
                checkedFields++;
            }
        }

        Assert.True(checkedFields > 40, $"only {checkedFields} string fields were swept");
    }

    [Fact]
    public async Task a_string_or_an_object_where_any_body_has_a_number_is_a_400_naming_that_field()
    {
        var (admin, bootstrap) = await ClientsAsync();
        var checkedFields = 0;
        foreach (var operation in await OperationsAsync())
        {
            if (operation.Example is null)
            {
                continue;
            }

            foreach (var (field, wrong) in JsonFields.Of(operation.Example, JsonValueKind.Number).SelectMany(f => new[] { (f, "\"one\""), (f, "{}") }))
            {
                var body = JsonFields.Replace(operation.Example, field, "WRONG").ToJsonString().Replace("\"WRONG\"", wrong, StringComparison.Ordinal);
                using var response = await SendAsync(operation.UsesBootstrapKey ? bootstrap : admin, operation, Guid.NewGuid(), body);

                var problem = await ProblemAsync(response, $"{operation.Id} {field}");
                Assert.Equal(400, problem.GetProperty("status").GetInt32());
                Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{operation.Id}: expected '{field}' in {problem}");
                checkedFields++;
            }
        }

        Assert.True(checkedFields > 20, $"only {checkedFields} number fields were swept");
    }

    [Fact]
    public async Task a_malformed_idempotency_key_on_any_change_is_a_400_naming_it_and_changes_nothing()
    {
        var (admin, bootstrap) = await ClientsAsync();
        var swept = 0;
        foreach (var operation in (await OperationsAsync()).Where(o => o.Method != HttpMethod.Get))
        {
            foreach (var key in new[] { "has space", new string('k', 101) })
            {
                var request = new HttpRequestMessage(operation.Method, System.Text.RegularExpressions.Regex.Replace(operation.Path, "\\{(\\w+)\\}", m => m.Groups[1].Value == "key" ? "clv" : Guid.NewGuid().ToString()));
                request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
                request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
                if (operation.Example is not null)
                {
                    request.Content = new StringContent(operation.Example.ToJsonString(), Encoding.UTF8, "application/json");
                }

                using var response = await (operation.UsesBootstrapKey ? bootstrap : admin).SendAsync(request);

                var problem = await ProblemAsync(response, $"{operation.Id} Idempotency-Key '{key}'");
                Assert.Equal(400, problem.GetProperty("status").GetInt32());
                Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), $"{operation.Id}: {problem}");
            }

            swept++;
        }

        Assert.True(swept > 30, $"only {swept} changing routes were swept");
        using var outcomes = await admin.GetAsync(new Uri("/outcomes", UriKind.Relative));
        Assert.Contains("\"items\":[]", await outcomes.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task every_route_answers_the_empty_id_as_unknown_and_never_with_a_500()
    {
        var (admin, bootstrap) = await ClientsAsync();
        var swept = 0;
        foreach (var operation in (await OperationsAsync()).Where(o => o.Path.Contains('{', StringComparison.Ordinal)))
        {
            using var response = await SendAsync(operation.UsesBootstrapKey ? bootstrap : admin, operation, Guid.Empty, operation.Example?.ToJsonString());

            var problem = await ProblemAsync(response, operation.Id);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{operation.Id}: {response.StatusCode} {problem}");
            swept++;
        }

        Assert.True(swept > 20, $"only {swept} routes were swept");
    }

    [Theory]
    [InlineData("/outcomes")]
    [InlineData("/outcomes/kpis")]
    [InlineData("/outcomes/OUTCOME/activities")]
    [InlineData("/outcomes/OUTCOME/plans")]
    [InlineData("/outcomes/OUTCOME/connections")]
    [InlineData("/outcomes/OUTCOME/results")]
    [InlineData("/outcomes/OUTCOME/kpis/clv/observations")]
    [InlineData("/segments")]
    [InlineData("/outcomes/OUTCOME/history")]
    [InlineData("/organisations/ORGANISATION/api-keys")]
    public async Task forged_cursors_are_a_400_naming_the_cursor(string list)
    {
        var world = await PlanWorld.CreateAsync(Api);
        using var admin = Api.Http(await world.Organisation.KeyAsync(Role.Admin));
        var url = list.Replace("OUTCOME", world.Outcome.Id.ToString(), StringComparison.Ordinal).Replace("ORGANISATION", world.Organisation.Id.ToString(), StringComparison.Ordinal);

        foreach (var cursor in new[] { "AAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAA", "_w", "4pyTIMOgIGxhIG1vZGU", "%00", new string('A', 400) })
        {
            using var response = await admin.GetAsync(new Uri($"{url}{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}cursor={cursor}", UriKind.Relative));

            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{url} cursor={cursor}: {response.StatusCode} {body}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.Contains("\"cursor\"", body, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("/outcomes?conductor=a%00b", "conductor")]
    [InlineData("/outcomes?conductor=%00", "conductor")]
    [InlineData("/outcomes/00000000-0000-0000-0000-000000000001/activities?channel=Email%00", "channel")]
    public async Task nul_in_a_query_value_is_a_400_naming_it(string url, string field)
    {
        var organisation = await Api.NewOrganisationAsync();
        using var http = await organisation.HttpAsAsync(Role.Cmo);

        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));

        var problem = await ProblemAsync(response, url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private async Task<(HttpClient Admin, HttpClient Bootstrap)> ClientsAsync()
    {
        var organisation = await Api.NewOrganisationAsync();
        return (Api.Http(await organisation.KeyAsync(Role.Admin)), Api.Http(ApiFixture.BootstrapKey));
    }

    private sealed record Operation(string Id, HttpMethod Method, string Path, JsonNode? Example)
    {
        public bool UsesBootstrapKey => Path.StartsWith("/organisations", StringComparison.Ordinal);
    }

    private async Task<List<Operation>> OperationsAsync()
    {
        using var http = Api.Http();
        var document = await http.GetFromJsonAsync<JsonObject>(new Uri("/openapi/v1.json", UriKind.Relative));
        return [.. document!["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => new Operation(
            op.Value!["operationId"]!.GetValue<string>(),
            HttpMethod.Parse(op.Key),
            path.Key,
            op.Value["requestBody"]?["content"]?["application/json"]?["example"]?.DeepClone())))];
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Operation operation, Guid id, string? body)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(operation.Path, "\\{(\\w+)\\}", m => m.Groups[1].Value == "key" ? "clv" : id.ToString());
        var request = new HttpRequestMessage(operation.Method, path);
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{what}: {response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
