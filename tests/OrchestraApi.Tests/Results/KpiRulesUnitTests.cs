using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;
using OrchestraApi.Results;

namespace OrchestraApi.Tests.Results;

/// <summary>Where a KPI stands, as a pure function: given its observations and today, then progress, trend and pace. No I/O.</summary>
public sealed class KpiRulesUnitTests
{
    private static readonly DateTimeOffset At = new(2027, 1, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Kpi Churn = new("churn", "Churn", "%", 10m, 5m, KpiDirection.Down);

    private static readonly Outcome Outcome = Outcome.Start(new OutcomeDefined(
        Guid.CreateVersion7(), "T", "", "Ada", [], new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), new Money(1m, "EUR"), "ada", At));

    private static KpiStanding Standing(DateOnly today, params decimal[] values)
    {
        var results = values.Select((v, i) => new KpiObserved(Guid.CreateVersion7(), Outcome.Id, "churn", v, At.AddDays(i), null, "c", At))
            .Aggregate(OutcomeResults.Start(new ResultsOpened(Outcome.Id)), (r, e) => r.Evolve(e));
        return KpiRules.Standing(Churn, Outcome, results, new Dictionary<Guid, OrchestraApi.Segments.Segment>(), today, OrchestraApi.Status.StatusPolicy.Default.PaceTolerance);
    }

    [Fact]
    public void pace_compares_progress_with_the_elapsed_share_of_the_window_within_the_tolerance()
    {
        var halfway = new DateOnly(2027, 7, 2);

        Assert.Equal(KpiPace.NotStarted, Standing(new DateOnly(2026, 12, 31), 9m).Pace);
        Assert.Equal(KpiPace.Unknown, Standing(halfway).Pace);
        Assert.Equal((0.5m, KpiPace.OnPace), (Standing(halfway, 7.5m).Progress, Standing(halfway, 7.5m).Pace));
        Assert.Equal(KpiPace.Ahead, Standing(halfway, 7m).Pace);
        Assert.Equal(KpiPace.Behind, Standing(halfway, 8m).Pace);
    }

    [Fact]
    public void trend_follows_the_kpis_direction_and_display_progress_is_clamped()
    {
        var today = new DateOnly(2027, 3, 1);

        Assert.Equal(KpiTrend.Improving, Standing(today, 9m, 8m).Trend);
        Assert.Equal(KpiTrend.Worsening, Standing(today, 8m, 9m).Trend);
        Assert.Equal(KpiTrend.Unknown, Standing(today, 8m).Trend);
        var beyond = Standing(today, 2m);
        Assert.Equal((1.6m, 1m), (beyond.Progress, beyond.DisplayProgress));
    }
}
