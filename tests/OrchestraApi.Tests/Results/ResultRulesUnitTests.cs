using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;

namespace OrchestraApi.Tests.Results;

/// <summary>The result rules as a pure function: given the outcome, its totals and earlier rows, when a batch arrives, then the rows, answers or every problem at once. No I/O.</summary>
public sealed class ResultRulesUnitTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 8, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly March1 = new(2027, 3, 1);
    private static readonly Caller Crm = new("CRM agency", Role.Agency, new HashSet<Discipline> { Discipline.Crm });

    private static readonly Outcome Outcome = Outcome.Start(new OutcomeDefined(
        Guid.CreateVersion7(), "T", "", "Ada", [], new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), new Money(100_000m, "EUR"), "ada", Now));

    private static readonly Activity Email = Activity.Start(new ActivityScheduled(
        Guid.CreateVersion7(), Guid.CreateVersion7(), Outcome.Id, Discipline.Crm,
        new ActivitySpec("Emails", Channel.Email, null, March1, March1.AddDays(9), new Money(1_000m, "EUR"), null, []), "g", Now));

    private static ResultRowRequest Row(long reached = 10, string currency = "EUR", string? sourceRef = null, CorrectedRow? corrects = null, Guid? activity = null) =>
        new(activity ?? Email.Id, March1, March1, reached, 0, 1, 0, new Money(0m, currency), new Money(1m, currency), sourceRef, corrects);

    private static ResultDecision Decide(Totals recorded, IReadOnlyList<ResultRecord> earlier, params ResultRowRequest[] rows) =>
        ResultRules.Decide(new RecordResults(Outcome.Id, new RecordResultsRequest(rows), Crm, null), Outcome, recorded, new Dictionary<Guid, Activity> { [Email.Id] = Email }, earlier, Guid.CreateVersion7(), Now);

    [Fact]
    public void every_bad_row_and_field_is_named_at_once()
    {
        var backwards = Row() with { To = March1.AddDays(-1) };

        var e = Assert.Throws<InvalidInputException>(() => Decide(Totals.Zero, [], Row(), Row(currency: "USD"), backwards, Row(activity: Guid.NewGuid())));

        Assert.Equal(["rows[1].cost.currency", "rows[1].revenue.currency", "rows[2].to", "rows[3].activityId"], e.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void a_known_source_reference_is_a_duplicate_unless_the_row_corrects_the_one_that_carries_it()
    {
        var earlierRow = ResultRecord.Of(Decide(Totals.Zero, [], Row(sourceRef: "w9")).Event).Single();

        var again = Decide(Totals.Zero, [earlierRow], Row(sourceRef: "w9"));
        var correction = Decide(Totals.Zero, [earlierRow], Row(reached: 12, sourceRef: "w9", corrects: new CorrectedRow(SourceRef: "w9")));

        Assert.Equal(RowOutcome.Duplicate, again.Answer.Rows.Single().Outcome);
        Assert.Empty(ResultRecord.Of(again.Event));
        Assert.Equal((RowOutcome.Correction, earlierRow.Id), (correction.Answer.Rows.Single().Outcome, correction.Answer.Rows.Single().Supersedes));
        Assert.Equal(earlierRow.Id, correction.Event.Superseded.Single().Id);
    }

    [Fact]
    public void a_row_that_would_take_a_total_past_its_bound_is_named_and_the_batch_decides_nothing()
    {
        var nearlyFull = Totals.Zero with { Reached = ResultRules.MaxTotal - 5 };

        var e = Assert.Throws<InvalidInputException>(() => Decide(nearlyFull, [], Row(reached: 5), Row(reached: 1)));
        var fits = Decide(nearlyFull, [], Row(reached: 5));

        Assert.Equal(["rows[1].reached"], e.Errors.Keys);
        Assert.Equal(1, fits.Answer.Recorded);
    }
}
