using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Status;
using OrchestraApi.Triggers;

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
        Report(outcome, now, StatusPolicy.Default, [], results, connections);

    private static OutcomeStatusReport Report(Outcome outcome, DateTimeOffset now, StatusPolicy policy, IReadOnlyList<TriggerFiring> flags, OutcomeResults? results = null, params Connection[] connections) =>
        StatusRules.Report(outcome, new Schedule(outcome.Id, connections, [], []), results, new Dictionary<Guid, OrchestraApi.Segments.Segment>(), now, policy, flags);

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
    public void the_organisations_policy_moves_the_pace_band_the_red_line_and_the_acknowledgement_days()
    {
        var kpi = new Kpi("clv", "CLV", "EUR", 100m, 200m, KpiDirection.Up);
        var halfway = new DateTimeOffset(2027, 7, 2, 12, 0, 0, TimeSpan.Zero);
        // 140 of 100 → 200 is 40 % of the way with 50 % of the window gone: 10 points behind.
        var results = Results(new KpiObserved(Guid.CreateVersion7(), Id, "clv", 140m, halfway, null, "c", halfway));
        var lenient = StatusPolicy.Default with { BehindPoints = 12m, FarBehindPoints = 30m };
        var strict = StatusPolicy.Default with { BehindPoints = 2m, FarBehindPoints = 8m, AcknowledgementDays = 1 };

        var underLenient = Report(Outcome(true, kpi), halfway, lenient, [], results);
        var underStrict = Report(Outcome(true, kpi), halfway, strict, [], results);

        Assert.Equal(KpiPace.OnPace, Assert.Single(underLenient.Kpis).Pace);
        Assert.DoesNotContain(underLenient.Reasons, r => r.Rule.StartsWith("kpi-", StringComparison.Ordinal));
        Assert.Equal(KpiPace.Behind, Assert.Single(underStrict.Kpis).Pace);
        Assert.Contains(underStrict.Reasons, r => (r.Level, r.Rule) == (Rag.Red, "kpi-far-behind-pace"));

        var connection = Connection.Start(new ConnectionDefined(
            Guid.CreateVersion7(), Id, ConnectionKind.SharedMessage, "Same promise", "", new ConnectionEnd(Guid.CreateVersion7(), null, Discipline.Advertising),
            new ConnectionEnd(Guid.CreateVersion7(), null, Discipline.Crm), 0, null, null, "Come back", null, "ada", halfway));
        Assert.Contains(Report(Outcome(), halfway.AddDays(1).AddMinutes(1), strict, [], null, connection).Reasons, r => r.Rule == "acknowledgement-overdue" && r.Detail.Contains("more than 1 days"));
        Assert.DoesNotContain(Report(Outcome(), halfway.AddDays(1).AddMinutes(1), StatusPolicy.Default, [], null, connection).Reasons, r => r.Rule == "acknowledgement-overdue");
        Assert.Equal(halfway.AddDays(1), StatusRules.ChangesWithTimeAt(new Schedule(Id, [connection], [], []), halfway.AddHours(18), strict));
    }

    [Fact]
    public void a_raised_flag_is_a_reason_at_its_level_and_a_dismissed_or_cleared_one_is_not()
    {
        var at = new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
        TriggerFiring Fired(RagLevel level, string subject) => TriggerFiring.Start(new TriggerFired(
            Guid.CreateVersion7(), Guid.CreateVersion7(), 1, "Loop not closing", Id, subject, "No results for 5 days.", new Dictionary<string, decimal?>(), [], [Discipline.Crm], "OrchestraApi", at, level));
        var amber = Fired(RagLevel.Amber, "activity a");
        var red = Fired(RagLevel.Red, "activity b");
        var dismissed = red.Evolve(new TriggerFlagDismissed(red.Id, red.TriggerId, Id, "known", "dana", at.AddHours(1)));
        var cleared = red.Evolve(new TriggerCleared(red.Id, red.TriggerId, Id, "The condition no longer holds.", "OrchestraApi", at.AddHours(1)));

        var both = Report(Outcome(), at, StatusPolicy.Default, [amber, red]);
        var afterDismissal = Report(Outcome(), at, StatusPolicy.Default, [amber, dismissed]);
        var afterClearing = Report(Outcome(), at, StatusPolicy.Default, [amber, cleared]);

        Assert.Equal(Rag.Red, both.Rag);
        Assert.Equal([(Rag.Red, $"trigger {red.TriggerId}"), (Rag.Amber, $"trigger {amber.TriggerId}")], both.Reasons.Where(r => r.Rule == StatusRules.TriggerFlag).Select(r => (r.Level, r.About)));
        Assert.Equal([Discipline.Crm], both.Reasons[0].Disciplines);
        Assert.Contains("Loop not closing", both.Reasons[0].Detail);
        Assert.Equal(Rag.Amber, afterDismissal.Rag);
        Assert.Equal(Rag.Amber, afterClearing.Rag);
        Assert.Single(afterClearing.Reasons, r => r.Rule == StatusRules.TriggerFlag);
    }

    [Fact]
    public void at_most_twenty_flags_are_listed_and_the_last_counts_the_rest()
    {
        var at = new DateTimeOffset(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var flags = Enumerable.Range(0, 25).Select(i => TriggerFiring.Start(new TriggerFired(
            Guid.CreateVersion7(), Guid.CreateVersion7(), 1, "T", Id, $"activity {i}", "s", new Dictionary<string, decimal?>(), [], [], "OrchestraApi", at.AddMinutes(i), RagLevel.Amber))).ToList();

        var flagged = Report(Outcome(), at, StatusPolicy.Default, flags).Reasons.Where(r => r.Rule == StatusRules.TriggerFlag).ToList();

        Assert.Equal(StatusRules.MaxFlags, flagged.Count);
        Assert.Single(flagged, r => r.Detail.EndsWith("(and 5 more flags)", StringComparison.Ordinal));
    }

    [Fact]
    public void a_connection_waiting_past_its_acknowledgement_days_is_amber_and_that_moment_is_when_time_moves_the_status()
    {
        var defined = Defined.AddDays(1).AddHours(3);
        var connection = Connection.Start(new ConnectionDefined(
            Guid.CreateVersion7(), Id, ConnectionKind.SharedMessage, "Same promise", "", new ConnectionEnd(Guid.CreateVersion7(), null, Discipline.Advertising),
            new ConnectionEnd(Guid.CreateVersion7(), null, Discipline.Crm), 0, null, null, "Come back", null, "ada", defined));
        var due = defined.AddDays(StatusPolicy.Default.AcknowledgementDays);

        var before = Report(Outcome(), due.AddMinutes(-1), null, connection);
        var after = Report(Outcome(), due.AddMinutes(1), null, connection);

        Assert.DoesNotContain(before.Reasons, r => r.Rule == "acknowledgement-overdue");
        Assert.Contains(after.Reasons, r => (r.Level, r.Rule, r.About) == (Rag.Amber, "acknowledgement-overdue", $"connection {connection.Id}"));
        Assert.Equal(due, StatusRules.ChangesWithTimeAt(new Schedule(Id, [connection], [], []), due.AddHours(-1), StatusPolicy.Default));
        var early = due.AddDays(-2);
        Assert.Equal(new DateTimeOffset(early.UtcDateTime.Date.AddDays(1), TimeSpan.Zero), StatusRules.ChangesWithTimeAt(new Schedule(Id, [connection], [], []), early, StatusPolicy.Default));
    }
}
