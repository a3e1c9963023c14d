using System.Net;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Platform;

/// <summary>No request ever sees another organisation's data: foreign ids are simply not found.</summary>
public sealed class TenancyTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_key_of_one_organisation_gets_404_for_every_route_on_anothers_outcome()
    {
        var a = await (await Api.NewOrganisationAsync("A")).OutcomesAsAsync(Role.Conductor);
        var b = await (await Api.NewOrganisationAsync("B")).OutcomesAsAsync(Role.Conductor);
        var theirs = await b.DefineOutcomeAsync(OutcomeSamples.Define("B's secret plan", kpis: OutcomeSamples.Clv()));
        var v = theirs.Version();

        Func<Task>[] attempts =
        [
            () => a.GetOutcomeAsync(theirs.Id),
            () => a.GetOutcomeHistoryAsync(theirs.Id),
            () => a.ReviseOutcomeAsync(theirs.Id, v, new ReviseOutcomeRequest { Title = "Mine now" }),
            () => a.AddKpiAsync(theirs.Id, v, OutcomeSamples.Churn()),
            () => a.ReviseKpiAsync(theirs.Id, "clv", v, new ReviseKpiRequest { Target = 1000 }),
            () => a.ActivateOutcomeAsync(theirs.Id, v),
            () => a.CloseOutcomeAsync(theirs.Id, v, new CloseOutcomeRequest { Result = ClosingResult.Cancelled, Reason = "x" }),
        ];
        foreach (var attempt in attempts)
        {
            var e = await Assert.ThrowsAsync<ApiException<Problem>>(attempt);
            Assert.Equal(404, e.StatusCode);
        }

        var after = await b.GetOutcomeAsync(theirs.Id);
        Assert.Equal(theirs.Version, after.Version);
        Assert.Equal(OutcomeStatus.Draft, after.Status);
    }

    [Fact]
    public async Task lists_never_show_another_organisations_outcomes()
    {
        var a = await (await Api.NewOrganisationAsync("A")).OutcomesAsAsync(Role.Cmo);
        var b = await (await Api.NewOrganisationAsync("B")).OutcomesAsAsync(Role.Conductor);
        await b.DefineOutcomeAsync(OutcomeSamples.Define("B's", "Ada"));

        Assert.Empty((await a.ListOutcomesAsync()).Items);
        Assert.Empty((await a.ListOutcomesAsync(conductor: "Ada")).Items);
        Assert.Single((await b.ListOutcomesAsync()).Items);
    }

    [Fact]
    public async Task an_organisation_admin_cannot_see_or_issue_another_organisations_keys()
    {
        var a = await Api.NewOrganisationAsync("A");
        var b = await Api.NewOrganisationAsync("B");
        var adminOfA = Api.Organisations(await a.KeyAsync(Role.Admin));

        var list = await Assert.ThrowsAsync<ApiException<Problem>>(() => adminOfA.ListApiKeysAsync(b.Id));
        var issue = await Assert.ThrowsAsync<ApiException<Problem>>(() => adminOfA.IssueApiKeyAsync(b.Id, new IssueApiKeyRequest { Name = "x", Role = Role.Cmo }));

        Assert.Equal(404, list.StatusCode);
        Assert.Equal(404, issue.StatusCode);
        Assert.Single((await adminOfA.ListApiKeysAsync(a.Id)).Items);
    }

    [Fact]
    public async Task the_bootstrap_key_manages_organisations_but_reads_no_organisations_data()
    {
        using var http = Api.Http(ApiFixture.BootstrapKey);

        using var response = await http.GetAsync(new Uri("/outcomes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
