using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Outcomes;

/// <summary>The KPI catalogue is an async multi-stream projection run by the Solo daemon.</summary>
public sealed class KpiCatalogueTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task the_catalogue_catches_up_with_kpis_across_outcomes_per_organisation()
    {
        var northwind = await (await Api.NewOrganisationAsync("Northwind")).OutcomesAsAsync(Role.Conductor);
        var contoso = await (await Api.NewOrganisationAsync("Contoso")).OutcomesAsAsync(Role.Conductor);
        var first = await northwind.DefineOutcomeAsync(OutcomeSamples.Define("One", kpis: OutcomeSamples.Clv()));
        await northwind.DefineOutcomeAsync(OutcomeSamples.Define("Two", kpis: [OutcomeSamples.Clv(), OutcomeSamples.Churn()]));
        await northwind.ReviseKpiAsync(first.Id, "clv", first.Version(), new ReviseKpiRequest { Name = "Lifetime value", Unit = "USD" });
        await contoso.DefineOutcomeAsync(OutcomeSamples.Define("Three", kpis: OutcomeSamples.Clv()));

        await Api.WaitForProjectionsAsync();
        var catalogue = await northwind.ListKpiCatalogueAsync();
        var theirs = await contoso.ListKpiCatalogueAsync();

        Assert.Equal([("churn", 1, "%"), ("clv", 2, "USD")], catalogue.Items.Select(k => (k.Key, k.Outcomes, k.Unit)));
        Assert.Equal("Lifetime value", catalogue.Items[1].Name);
        Assert.Equal([("clv", 1, "EUR")], theirs.Items.Select(k => (k.Key, k.Outcomes, k.Unit)));
    }
}
