using System.Net;
using System.Text;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Outcomes;

public sealed class OutcomeConcurrencyTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task get_returns_the_version_as_etag_and_in_the_body()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var outcome = await Api.Outcomes(key).DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        using var http = Api.Http(key);

        using var response = await http.GetAsync(new Uri($"/outcomes/{outcome.Id}", UriKind.Relative));

        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        Assert.Equal(2, outcome.Version);
    }

    [Fact]
    public async Task a_stale_if_match_is_a_412_and_changes_nothing()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define());
        await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version(), new ReviseOutcomeRequest { Title = "First" });

        var stale = await Assert.ThrowsAsync<ApiException<Problem>>(() => outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version(), new ReviseOutcomeRequest { Title = "Second" }));

        Assert.Equal(412, stale.StatusCode);
        Assert.Equal("First", (await outcomes.GetOutcomeAsync(outcome.Id)).Title);
    }

    [Fact]
    public async Task a_mutation_without_if_match_is_a_428_and_changes_nothing()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var outcome = await Api.Outcomes(key).DefineOutcomeAsync(OutcomeSamples.Define());
        using var http = Api.Http(key);

        using var response = await http.PatchAsync(new Uri($"/outcomes/{outcome.Id}", UriKind.Relative), new StringContent("""{"title":"No version"}""", Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode)428, response.StatusCode);
        Assert.Contains("If-Match", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(outcome.Title, (await Api.Outcomes(key).GetOutcomeAsync(outcome.Id)).Title);
    }

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("W/\"2\"")]
    [InlineData("2")]
    public async Task if_match_takes_the_etag_or_the_bare_version(string ifMatch)
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var outcomes = Api.Outcomes(key);
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        using var http = Api.Http(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/outcomes/{outcome.Id}/activate");
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);

        using var response = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, (await outcomes.GetOutcomeAsync(outcome.Id)).Version);
    }

    [Fact]
    public async Task of_eight_concurrent_writers_with_the_same_if_match_exactly_one_wins()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var outcome = await Api.Outcomes(key).DefineOutcomeAsync(OutcomeSamples.Define());
        using var start = new SemaphoreSlim(0);

        var writers = Enumerable.Range(0, 8).Select(async i =>
        {
            var client = Api.Outcomes(key);
            await start.WaitAsync();
            try
            {
                await client.ReviseOutcomeAsync(outcome.Id, outcome.Version(), new ReviseOutcomeRequest { Title = $"Writer {i}" });
                return 200;
            }
            catch (ApiException e)
            {
                return e.StatusCode;
            }
        }).ToList();
        start.Release(8);
        var statuses = await Task.WhenAll(writers);

        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.Equal(7, statuses.Count(s => s == 412));
        var after = await Api.Outcomes(key).GetOutcomeAsync(outcome.Id);
        Assert.Equal(outcome.Version + 1, after.Version);
        Assert.Equal(2, (await Api.Outcomes(key).GetOutcomeHistoryAsync(outcome.Id)).Items.Count);
    }
}
