using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Tests.Outcomes;

/// <summary>The rules as pure functions: given state, when command, then events or a violation. No I/O.</summary>
public sealed class OutcomeRulesUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static Outcome Draft(params Kpi[] kpis) =>
        kpis.Aggregate(
            Outcome.Start(new OutcomeDefined(Guid.CreateVersion7(), "T", "", "Ada", [], new DateOnly(2027, 1, 1), new DateOnly(2027, 6, 30), new Money(10, "EUR"), "ada", Now)),
            (o, k) => o.Evolve(new KpiAdded(o.Id, k, "ada", Now)));

    private static readonly Kpi Clv = new("clv", "CLV", "EUR", 1, 2, KpiDirection.Up);

    [Fact]
    public void defining_emits_the_definition_then_one_kpi_added_per_kpi()
    {
        var request = new DefineOutcomeRequest(" Grow ", "Ada", new DateOnly(2027, 1, 1), new DateOnly(2027, 2, 1), new Money(1, "EUR"), Kpis: [new KpiDefinition("clv", "CLV", "EUR", 1, 2, KpiDirection.Up)]);

        var events = OutcomeRules.Define(Guid.CreateVersion7(), request, "ada", Now);

        Assert.Collection(events, e => Assert.Equal("Grow", Assert.IsType<OutcomeDefined>(e).Title), e => Assert.Equal("clv", Assert.IsType<KpiAdded>(e).Kpi.Key));
    }

    [Fact]
    public void an_outcome_tracks_at_most_its_limit_of_kpis()
    {
        var almost = Draft([.. Enumerable.Range(0, OutcomeRules.MaxKpis - 1).Select(i => Clv with { Key = $"k{i}" })]);
        var full = almost.Evolve(new KpiAdded(almost.Id, Clv, "ada", Now));

        var added = OutcomeRules.AddKpi(almost, new KpiDefinition("last", "Last", "%", 1, 2, KpiDirection.Up), "ada", Now);
        var refused = Assert.Throws<RuleViolationException>(() => OutcomeRules.AddKpi(full, new KpiDefinition("more", "More", "%", 1, 2, KpiDirection.Up), "ada", Now));

        Assert.Equal("last", added.Kpi.Key);
        Assert.Equal("kpis-per-outcome-limit", refused.Rule);
    }

    [Fact]
    public void a_revision_records_only_what_changed()
    {
        var revised = OutcomeRules.Revise(Draft(), new ReviseOutcomeRequest(Title: "T", EndsOn: new DateOnly(2027, 7, 1)), "ada", Now);

        Assert.Null(revised.Title);
        Assert.Equal(new DateOnly(2027, 7, 1), revised.EndsOn);
    }

    [Fact]
    public void activation_needs_a_kpi_and_a_draft()
    {
        Assert.Equal("active-outcome-needs-kpi", Assert.Throws<RuleViolationException>(() => OutcomeRules.Activate(Draft(), "ada", Now)).Rule);
        var active = Draft(Clv).Evolve(OutcomeRules.Activate(Draft(Clv), "ada", Now));
        Assert.Equal(OutcomeStatus.Active, active.Status);
        Assert.Equal("only-draft-can-be-activated", Assert.Throws<RuleViolationException>(() => OutcomeRules.Activate(active, "ada", Now)).Rule);
    }

    [Fact]
    public void a_down_kpi_needs_a_target_below_its_baseline()
    {
        var down = new KpiDefinition("churn", "Churn", "%", 4, 5, KpiDirection.Down);

        Assert.Equal("kpi-target-in-direction", Assert.Throws<RuleViolationException>(() => OutcomeRules.AddKpi(Draft(), down, "ada", Now)).Rule);
        Assert.Equal(3, OutcomeRules.AddKpi(Draft(), down with { Target = 3 }, "ada", Now).Kpi.Target);
    }
}
