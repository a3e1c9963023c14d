using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Outcomes;

public sealed class OutcomeLifecycleTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_conductor_defines_activates_and_closes_an_outcome_and_history_tells_the_story()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);

        var defined = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        Assert.Equal(OutcomeStatus.Draft, defined.Status);
        Assert.Equal(2, defined.Version);
        Assert.Equal(1_250_000.50m, defined.Budget.Amount);
        Assert.Equal(new DateOnly(2027, 12, 31), defined.EndsOn);

        var revised = await outcomes.ReviseOutcomeAsync(defined.Id, defined.Version(), new ReviseOutcomeRequest { Title = "Grow CLV", EndsOn = new DateOnly(2028, 3, 31) });

        var withKpi = await outcomes.AddKpiAsync(defined.Id, revised.Version(), OutcomeSamples.Churn());
        var kpiRevised = await outcomes.ReviseKpiAsync(defined.Id, "clv", withKpi.Version(), new ReviseKpiRequest { Target = 520m });
        var active = await outcomes.ActivateOutcomeAsync(defined.Id, kpiRevised.Version());
        var closed = await outcomes.CloseOutcomeAsync(defined.Id, active.Version(), new CloseOutcomeRequest { Result = ClosingResult.Achieved, Reason = "CLV hit 523 EUR." });

        Assert.Equal(OutcomeStatus.Achieved, closed.Status);
        Assert.Equal("CLV hit 523 EUR.", closed.ClosingReason);
        var read = await outcomes.GetOutcomeAsync(defined.Id);
        Assert.Equal(7, read.Version);
        Assert.Equal("Grow CLV", read.Title);
        Assert.Equal(new DateOnly(2028, 3, 31), read.EndsOn);
        Assert.Equal([("clv", 520m), ("churn", 3.1m)], read.Kpis.Select(k => (k.Key, k.Target)));

        var history = await outcomes.GetOutcomeHistoryAsync(defined.Id);
        Assert.Equal(["defined", "kpi-added", "revised", "kpi-added", "kpi-revised", "activated", "closed"], history.Items.Select(c => c.Change));
        Assert.All(history.Items, c => Assert.Equal("Conductor key", c.By));
        Assert.Contains("achieved", history.Items[^1].Summary, StringComparison.Ordinal);
        Assert.Null(history.NextCursor);
    }
}
