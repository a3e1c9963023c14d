using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Status;

namespace OrchestraApi.Tests.Status;

/// <summary>The status rules as a pure function: given an outcome's inputs and a moment, then a report with its RAG and reasons. No I/O.</summary>
public sealed class StatusRulesUnitTests
{
    private static readonly DateTimeOffset Defined = new(2027, 1, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Id = Guid.CreateVersion7();

    private static Outcome Outcome(bool active = true, params Kpi[] kpis)
    {
        var outcome = kpis.Aggregate(
            OrchestraApi.Outcomes.Outcome.Start(new OutcomeDefined(Id, "Win back", "", "Ada", [], new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), new Money(100_000m, "EUR"), "ada", Defined)),
            (o, k) => o.Evolve(new KpiAdded(Id, k, "ada", Defined)));
        return active ? outcome.Evolve(new OutcomeActivated(Id, "ada", Defined)) : outcome;
    }

    private static OutcomeResults Results(params object[] events) => events.Aggregate(OutcomeResults.Start(new ResultsOpened(Id)), (r, e) => r.Evolve(e));

    private static OutcomeStatusReport Report(Outcome outcome, DateTimeOffset now, OutcomeResults? results = null, params Connection[] connections) =>
        StatusRules.Report(outcome, new Schedule(outcome.Id, connections, [], []), results, new Dictionary<Guid, OrchestraApi.Segments.Segment>(), now);

    [Fact]
    public void a_draft_outcome_is_green_and_an_active_one_without_approved_plans_is_amber_once_per_discipline()
    {
        var now = Defined.AddDays(10);

        var draft = Report(Outcome(active: false), now);
        var active = Report(Outcome(), now);

        Assert.Equal((Rag.Green, 0), (draft.Rag, draft.Reasons.Count));
        Assert.Equal(Rag.Amber, active.Rag);
        Assert.Equal(Enum.GetValues<Discipline>().Select(d => $"discipline {d}").Order(StringComparer.Ordinal), active.Reasons.Select(r => r.About));
        Assert.All(active.Reasons, r => Assert.Equal("discipline-without-approved-plan", r.Rule));
    }

    [Fact]
    public void spend_over_the_outcomes_budget_is_red()
    {
        var row = new ResultRow(Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Discipline.Crm, new DateOnly(2027, 2, 1), new DateOnly(2027, 2, 1), 1, 1, 0, 0, 0m, 100_001m, null, null);

        var report = Report(Outcome(), Defined.AddDays(40), Results(new ResultsRecorded(Guid.CreateVersion7(), Id, [row], [], "EUR", "g", Defined)));

        Assert.Equal(Rag.Red, report.Rag);
        Assert.Equal(("spend-over-budget", $"outcome {Id}"), (report.Reasons[0].Rule, report.Reasons[0].About));
        Assert.Equal(100_001m, report.Spent.Amount);
    }

    [Fact]
    public void a_kpi_behind_pace_is_amber_and_far_behind_is_red()
    {
        var kpi = new Kpi("clv", "CLV", "EUR", 100m, 200m, KpiDirection.Up);
        var halfway = new DateTimeOffset(2027, 7, 2, 12, 0, 0, TimeSpan.Zero);

        var behind = Report(Outcome(true, kpi), halfway, Results(new KpiObserved(Guid.CreateVersion7(), Id, "clv", 140m, halfway, null, "c", halfway)));
        var farBehind = Report(Outcome(true, kpi), halfway, Results(new KpiObserved(Guid.CreateVersion7(), Id, "clv", 110m, halfway, null, "c", halfway)));

        Assert.Contains(behind.Reasons, r => (r.Level, r.Rule) == (Rag.Amber, "kpi-behind-pace"));
        Assert.DoesNotContain(behind.Reasons, r => r.Rule == "kpi-far-behind-pace");
        Assert.Contains(farBehind.Reasons, r => (r.Level, r.Rule) == (Rag.Red, "kpi-far-behind-pace"));
        Assert.Equal(Rag.Red, farBehind.Rag);
    }

    [Fact]
    public void a_connection_waiting_past_its_acknowledgement_days_is_amber_and_that_moment_is_when_time_moves_the_status()
    {
        var defined = Defined.AddDays(1).AddHours(3);
        var connection = Connection.Start(new ConnectionDefined(
            Guid.CreateVersion7(), Id, ConnectionKind.SharedMessage, "Same promise", "", new ConnectionEnd(Guid.CreateVersion7(), null, Discipline.Advertising),
            new ConnectionEnd(Guid.CreateVersion7(), null, Discipline.Crm), 0, null, null, "Come back", null, "ada", defined));
        var due = defined.AddDays(StatusRules.AcknowledgementDays);

        var before = Report(Outcome(), due.AddMinutes(-1), null, connection);
        var after = Report(Outcome(), due.AddMinutes(1), null, connection);

        Assert.DoesNotContain(before.Reasons, r => r.Rule == "acknowledgement-overdue");
        Assert.Contains(after.Reasons, r => (r.Level, r.Rule, r.About) == (Rag.Amber, "acknowledgement-overdue", $"connection {connection.Id}"));
        Assert.Equal(due, StatusRules.ChangesWithTimeAt(new Schedule(Id, [connection], [], []), due.AddHours(-1)));
        var early = due.AddDays(-2);
        Assert.Equal(new DateTimeOffset(early.UtcDateTime.Date.AddDays(1), TimeSpan.Zero), StatusRules.ChangesWithTimeAt(new Schedule(Id, [connection], [], []), early));
    }
}
