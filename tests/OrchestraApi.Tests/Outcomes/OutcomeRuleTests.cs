using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Outcomes;

/// <summary>Every outcome rule, through the SDK: a violation is a 409 naming the rule, and changes nothing.</summary>
public sealed class OutcomeRuleTests(ApiFixture api) : ApiTest(api)
{
    private async Task<(OutcomesClient Outcomes, OutcomeDetails Outcome)> DraftAsync(params KpiDefinition[] kpis)
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        return (outcomes, await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: kpis)));
    }

    private static async Task AssertRuleAsync(string rule, Func<Task> act)
    {
        var e = await Assert.ThrowsAsync<ApiException<Problem>>(act);
        Assert.Equal(409, e.StatusCode);
        Assert.Equal(rule, e.Result.Rule);
    }

    [Fact]
    public async Task kpi_keys_are_unique_per_outcome()
    {
        var (outcomes, outcome) = await DraftAsync(OutcomeSamples.Clv());

        await AssertRuleAsync("kpi-key-unique", () => outcomes.AddKpiAsync(outcome.Id, outcome.Version(), OutcomeSamples.Clv()));
        var organisation = await Api.NewOrganisationAsync("Other");
        var other = await organisation.OutcomesAsAsync(Role.Conductor);
        await AssertRuleAsync("kpi-key-unique", () => other.DefineOutcomeAsync(OutcomeSamples.Define(kpis: [OutcomeSamples.Clv(), OutcomeSamples.Clv()])));
        Assert.Single((await outcomes.GetOutcomeAsync(outcome.Id)).Kpis);
        Assert.Empty((await other.ListOutcomesAsync()).Items);
    }

    [Theory]
    [InlineData(KpiDirection.Up, 10, 10)]
    [InlineData(KpiDirection.Up, 10, 9)]
    [InlineData(KpiDirection.Down, 10, 11)]
    public async Task a_kpi_target_must_differ_from_its_baseline_in_its_direction(KpiDirection direction, int baseline, int target)
    {
        var (outcomes, outcome) = await DraftAsync();
        var kpi = new KpiDefinition { Key = "retention", Name = "Retention", Unit = "%", Baseline = baseline, Target = target, Direction = direction };

        await AssertRuleAsync("kpi-target-in-direction", () => outcomes.AddKpiAsync(outcome.Id, outcome.Version(), kpi));
        Assert.Equal(outcome.Version, (await outcomes.GetOutcomeAsync(outcome.Id)).Version);
    }

    [Fact]
    public async Task a_kpi_revision_must_keep_the_target_in_its_direction()
    {
        var (outcomes, outcome) = await DraftAsync(OutcomeSamples.Clv());

        await AssertRuleAsync("kpi-target-in-direction", () => outcomes.ReviseKpiAsync(outcome.Id, "clv", outcome.Version(), new ReviseKpiRequest { Direction = KpiDirection.Down }));
        var unknown = await Assert.ThrowsAsync<ApiException<Problem>>(() => outcomes.ReviseKpiAsync(outcome.Id, "nope", outcome.Version(), new ReviseKpiRequest { Target = 1 }));
        Assert.Equal(404, unknown.StatusCode);
    }

    [Fact]
    public async Task the_window_must_end_after_it_starts()
    {
        var (outcomes, outcome) = await DraftAsync();
        var define = OutcomeSamples.Define();
        define.EndsOn = define.StartsOn;

        await AssertRuleAsync("window-ends-after-start", () => outcomes.DefineOutcomeAsync(define));
        await AssertRuleAsync("window-ends-after-start", () => outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version(), new ReviseOutcomeRequest { EndsOn = new DateOnly(2026, 12, 31) }));
        Assert.Single((await outcomes.ListOutcomesAsync()).Items);
    }

    [Fact]
    public async Task an_outcome_needs_a_kpi_to_be_activated_and_only_a_draft_can_be()
    {
        var (outcomes, outcome) = await DraftAsync();

        await AssertRuleAsync("active-outcome-needs-kpi", () => outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version()));
        var withKpi = await outcomes.AddKpiAsync(outcome.Id, outcome.Version(), OutcomeSamples.Clv());
        var active = await outcomes.ActivateOutcomeAsync(outcome.Id, withKpi.Version());
        await AssertRuleAsync("only-draft-can-be-activated", () => outcomes.ActivateOutcomeAsync(outcome.Id, active.Version()));
        Assert.Equal(OutcomeStatus.Active, (await outcomes.GetOutcomeAsync(outcome.Id)).Status);
    }

    [Fact]
    public async Task a_draft_can_be_cancelled_but_not_achieved_or_missed()
    {
        var (outcomes, outcome) = await DraftAsync(OutcomeSamples.Clv());

        await AssertRuleAsync("only-active-can-be-achieved-or-missed", () => outcomes.CloseOutcomeAsync(outcome.Id, outcome.Version(), new CloseOutcomeRequest { Result = ClosingResult.Achieved, Reason = "?" }));
        await AssertRuleAsync("only-active-can-be-achieved-or-missed", () => outcomes.CloseOutcomeAsync(outcome.Id, outcome.Version(), new CloseOutcomeRequest { Result = ClosingResult.Missed, Reason = "?" }));
        var cancelled = await outcomes.CloseOutcomeAsync(outcome.Id, outcome.Version(), new CloseOutcomeRequest { Result = ClosingResult.Cancelled, Reason = "Budget moved to 2028." });
        Assert.Equal(OutcomeStatus.Cancelled, cancelled.Status);
    }

    [Fact]
    public async Task a_closed_outcome_rejects_every_change()
    {
        var (outcomes, outcome) = await DraftAsync(OutcomeSamples.Clv());
        var active = await outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version());
        var missed = await outcomes.CloseOutcomeAsync(outcome.Id, active.Version(), new CloseOutcomeRequest { Result = ClosingResult.Missed, Reason = "Market shrank." });
        var v = missed.Version();

        await AssertRuleAsync("closed-outcome-is-final", () => outcomes.ReviseOutcomeAsync(outcome.Id, v, new ReviseOutcomeRequest { Title = "Again" }));
        await AssertRuleAsync("closed-outcome-is-final", () => outcomes.AddKpiAsync(outcome.Id, v, OutcomeSamples.Churn()));
        await AssertRuleAsync("closed-outcome-is-final", () => outcomes.ReviseKpiAsync(outcome.Id, "clv", v, new ReviseKpiRequest { Target = 900 }));
        await AssertRuleAsync("closed-outcome-is-final", () => outcomes.ActivateOutcomeAsync(outcome.Id, v));
        await AssertRuleAsync("closed-outcome-is-final", () => outcomes.CloseOutcomeAsync(outcome.Id, v, new CloseOutcomeRequest { Result = ClosingResult.Cancelled, Reason = "x" }));
        var after = await outcomes.GetOutcomeAsync(outcome.Id);
        Assert.Equal(missed.Version, after.Version);
        Assert.Equal(OutcomeStatus.Missed, after.Status);
    }

    [Fact]
    public async Task a_revision_that_changes_nothing_is_rejected()
    {
        var (outcomes, outcome) = await DraftAsync();

        await AssertRuleAsync("revision-changes-something", () => outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version(), new ReviseOutcomeRequest { Title = outcome.Title }));
    }
}
