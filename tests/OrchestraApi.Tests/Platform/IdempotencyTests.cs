using System.Net;
using System.Text;
using System.Text.Json;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Platform;

public sealed class IdempotencyTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_retried_create_with_the_same_key_and_body_returns_the_first_response_and_appends_nothing()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var request = OutcomeSamples.Define(kpis: OutcomeSamples.Clv());

        var first = await outcomes.DefineOutcomeAsync(request, "define-clv-2027");
        var retry = await outcomes.DefineOutcomeAsync(request, "define-clv-2027");

        Assert.Equal(first.Id, retry.Id);
        Assert.Equal(first.Version, retry.Version);
        Assert.Equal(first.DefinedAt, retry.DefinedAt);
        Assert.Single((await outcomes.ListOutcomesAsync()).Items);
        await using var session = Api.Store.QuerySession(organisation.Id.ToString());
        Assert.Equal(2, (await session.Events.FetchStreamAsync(first.Id)).Count);
    }

    [Fact]
    public async Task concurrent_retries_with_one_key_define_one_outcome()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var request = OutcomeSamples.Define();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => outcomes.DefineOutcomeAsync(request, "same-key")));

        Assert.Single(responses.Select(r => r.Id).Distinct());
        Assert.Single((await outcomes.ListOutcomesAsync()).Items);
    }

    [Fact]
    public async Task reusing_a_key_with_a_different_body_is_a_422_and_defines_nothing_new()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("First"), "key-1");

        var e = await Assert.ThrowsAsync<ApiException<Problem>>(() => outcomes.DefineOutcomeAsync(OutcomeSamples.Define("Second"), "key-1"));

        Assert.Equal(422, e.StatusCode);
        Assert.Equal(["First"], (await outcomes.ListOutcomesAsync()).Items.Select(o => o.Title));
    }

    [Fact]
    public async Task keys_are_scoped_to_the_organisation()
    {
        var a = await (await Api.NewOrganisationAsync("A")).OutcomesAsAsync(Role.Conductor);
        var b = await (await Api.NewOrganisationAsync("B")).OutcomesAsAsync(Role.Conductor);

        var mine = await a.DefineOutcomeAsync(OutcomeSamples.Define(), "shared-key");
        var theirs = await b.DefineOutcomeAsync(OutcomeSamples.Define(), "shared-key");

        Assert.NotEqual(mine.Id, theirs.Id);
    }

    [Fact]
    public async Task organisation_creation_is_idempotent_too()
    {
        var first = await Api.Organisations().CreateOrganisationAsync(new CreateOrganisationRequest { Name = "Fabrikam" }, "org-fabrikam");
        var retry = await Api.Organisations().CreateOrganisationAsync(new CreateOrganisationRequest { Name = "Fabrikam" }, "org-fabrikam");

        Assert.Equal(first.Id, retry.Id);
    }

    [Theory]
    [InlineData("/organisations")]
    [InlineData("/outcomes")]
    [InlineData("/plans")]
    public async Task twenty_concurrent_retries_of_one_create_all_get_the_first_answer(string route)
    {
        var world = await PlanWorld.CreateAsync(Api);
        var (key, body) = route switch
        {
            "/organisations" => (ApiFixture.BootstrapKey, """{"name":"Fabrikam"}"""),
            "/outcomes" => (await world.Organisation.KeyAsync(Role.Conductor), JsonSerializer.Serialize(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()), Json)),
            _ => (await world.Organisation.KeyAsync(Role.Orchestrator, Discipline.Digital), JsonSerializer.Serialize(world.Plan(Discipline.Digital), Json)),
        };
        using var http = Api.Http(key);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", "one-key-for-all");
            using var response = await http.SendAsync(request);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.Created, $"{a.StatusCode} {a.Body}"));
        Assert.Single(answers.Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("id").GetGuid()).Distinct());
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
}
