using System.Net;
using System.Text.Json;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Platform;

public sealed class HealthTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task liveness_answers_without_a_key()
    {
        using var http = Api.Http();

        using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task readiness_answers_healthy_as_soon_as_postgresql_answers_whether_or_not_this_node_leads_the_projections()
    {
        using var http = Api.Http();

        using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task the_daemon_report_shows_the_platform_admin_the_mode_the_shards_this_node_runs_and_their_lag()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        await outcomes.DefineOutcomeAsync(OrchestraApi.Tests.Outcomes.OutcomeSamples.Define());
        await Api.WaitForProjectionsAsync();

        using var anonymous = await Api.Http().GetAsync(new Uri("/health/daemon", UriKind.Relative));
        using var organisationAdmin = await (await organisation.HttpAsAsync(Role.Admin)).GetAsync(new Uri("/health/daemon", UriKind.Relative));
        using var platformAdmin = await Api.Http(ApiFixture.BootstrapKey).GetAsync(new Uri("/health/daemon", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, organisationAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, platformAdmin.StatusCode);
        var report = JsonDocument.Parse(await platformAdmin.Content.ReadAsStringAsync()).RootElement;
        // The tests give the API a connection string: several nodes could share the database, so HotCold.
        Assert.Equal("HotCold", report.GetProperty("mode").GetString());
        Assert.True(report.GetProperty("leads").GetBoolean());
        Assert.True(report.GetProperty("highWaterMark").GetInt64() > 0);
        // The async shards: the feed's subscription and the KPI catalogue's projection (its documents are KpiUsage).
        var shards = report.GetProperty("shards").EnumerateArray().ToList();
        Assert.Equal(["Feed:All", "KpiUsage:All"], shards.Select(s => s.GetProperty("name").GetString()));
        Assert.All(shards, s => Assert.Equal(0, s.GetProperty("lag").GetInt64()));
        Assert.All(shards, s => Assert.Equal(report.GetProperty("highWaterMark").GetInt64(), s.GetProperty("sequence").GetInt64()));
        Assert.Equal(["Feed:All", "KpiUsage:All"], report.GetProperty("runningHere").EnumerateArray().Select(s => s.GetString()));
    }
}
