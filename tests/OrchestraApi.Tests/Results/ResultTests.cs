using OrchestraApi.Sdk;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Results;

/// <summary>The closed loop through the SDK: result batches, duplicates, corrections and measures computed by hand.</summary>
public sealed class ResultTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = new(2027, 3, 1);

    private sealed record World(PlanWorld Plans, PlansClient Crm, ResultsClient CrmResults, ActivityDetails Email, ActivityDetails Mail);

    private async Task<World> CreateAsync()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var key = await world.Organisation.KeyAsync(Role.Orchestrator, Discipline.Crm);
        var crm = Api.Plans(key);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 100_000m));
        var email = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("Win-back emails", budget: 10_000m));
        var mail = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("Direct mail", budget: 2_000m, channel: Channel.DirectMail));
        return new World(world, crm, Api.Results(key), email, mail);
    }

    private static ResultRowRequest Row(ActivityDetails activity, long reached, long responses, long conversions, decimal revenue, decimal cost, string? sourceRef = null, string currency = "EUR") => new()
    {
        ActivityId = activity.Id, From = March1, To = March1.AddDays(6), Reached = reached, Impressions = reached * 3, Responses = responses,
        Conversions = conversions, Revenue = new Money { Amount = revenue, Currency = currency }, Cost = new Money { Amount = cost, Currency = currency }, SourceRef = sourceRef,
    };

    private static RecordResultsRequest Batch(params ResultRowRequest[] rows) => new() { Rows = rows };

    [Fact]
    public async Task a_batch_counts_at_once_in_every_measure_computed_by_hand_including_zero_cost_and_zero_audience()
    {
        var w = await CreateAsync();

        var batch = await w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(
            Row(w.Email, 1_000, 100, 10, 5_000m, 1_000m, "w1"),
            Row(w.Email, 3_000, 200, 30, 3_000m, 2_000m, "w2"),
            Row(w.Mail, 0, 0, 0, 0m, 0m, "m1"),
            Row(w.Mail, 0, 5, 9, 450m, 0m, "m2")));
        var email = await w.CrmResults.GetActivityMeasuresAsync(w.Plans.Outcome.Id, w.Email.Id);
        var mail = await w.CrmResults.GetActivityMeasuresAsync(w.Plans.Outcome.Id, w.Mail.Id);
        var outcome = await w.CrmResults.GetOutcomeMeasuresAsync(w.Plans.Outcome.Id);

        Assert.Equal((4, 0, 0), (batch.Recorded, batch.Duplicates, batch.Corrections));
        Assert.Equal(["More conversions than responses.", "More responses than audience reached."], batch.Rows[3].Warnings);
        var e = email.Measures;
        Assert.Equal((2L, 4_000L, 12_000L, 300L, 40L, 8_000m, 3_000m), (e.Rows, e.Reached, e.Impressions, e.Responses, e.Conversions, e.Revenue.Amount, e.Cost.Amount));
        Assert.Equal((0.075m, 0.133333m, 10m, 75m, 1.666667m), (e.ResponseRate.Value, e.ConversionRate.Value, e.CostPerResponse.Value, e.CostPerConversion.Value, e.Roi.Value));
        Assert.Equal((10_000m, false), (e.Planned.Amount, e.OverSpent));
        var m = mail.Measures;
        Assert.Equal(((decimal?)null, "No audience reached yet."), (m.ResponseRate.Value, m.ResponseRate.Reason));
        Assert.Equal(((decimal?)null, "Cost is 0: ROI is undefined."), (m.Roi.Value, m.Roi.Reason));
        Assert.Equal((1.8m, 0m, 0m), (m.ConversionRate.Value, m.CostPerResponse.Value, m.CostPerConversion.Value));
        var crm = outcome.Disciplines.Single(d => d.Discipline == Discipline.Crm).Measures;
        Assert.Equal((4L, 305L, 49L, 8_450m, 3_000m, 100_000m), (crm.Rows, crm.Responses, crm.Conversions, crm.Revenue.Amount, crm.Cost.Amount, crm.Planned.Amount));
        Assert.Equal(1.816667m, outcome.Outcome.Roi.Value);
        Assert.Equal((0L, (decimal?)null), (outcome.Disciplines.Single(d => d.Discipline == Discipline.Advertising).Measures.Rows, outcome.Disciplines.Single(d => d.Discipline == Discipline.Advertising).Measures.Roi.Value));
        Assert.Equal(4, (await w.CrmResults.ListResultsAsync(w.Plans.Outcome.Id, batchId: batch.BatchId)).Items.Count);
    }

    [Fact]
    public async Task a_batch_with_bad_rows_names_every_row_and_field_and_stores_nothing()
    {
        var w = await CreateAsync();
        var good = Row(w.Email, 10, 1, 0, 0m, 1m, "ok");
        var wrongCurrency = Row(w.Email, 10, 1, 0, 0m, 1m, "usd", currency: "USD");
        var backwards = Row(w.Mail, 10, 1, 0, 0m, 1m);
        backwards.To = March1.AddDays(-1);
        var unknown = Row(w.Mail, 10, 1, 0, 0m, 1m);
        unknown.ActivityId = Guid.NewGuid();

        var e = await Assert.ThrowsAsync<ApiException<Problem>>(() => w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(good, wrongCurrency, backwards, unknown)));

        Assert.Equal(400, e.StatusCode);
        Assert.Equal(["rows[1].cost.currency", "rows[1].revenue.currency", "rows[2].to", "rows[3].activityId"], e.Result.Errors!.Keys.Order());
        Assert.Empty((await w.CrmResults.ListResultsAsync(w.Plans.Outcome.Id)).Items);
        Assert.Equal(0, (await w.CrmResults.GetOutcomeMeasuresAsync(w.Plans.Outcome.Id)).Outcome.Rows);
    }

    [Fact]
    public async Task duplicates_are_answered_and_not_counted_and_a_correction_supersedes_a_row_that_stays_in_history()
    {
        var w = await CreateAsync();
        var outcomeId = w.Plans.Outcome.Id;
        var first = await w.CrmResults.RecordResultsAsync(outcomeId, Batch(Row(w.Email, 1_000, 100, 10, 5_000m, 1_000m, "w1")));

        var again = await w.CrmResults.RecordResultsAsync(outcomeId, Batch(Row(w.Email, 1_000, 100, 10, 5_000m, 1_000m, "w1"), Row(w.Email, 500, 50, 5, 500m, 500m, "w2"), Row(w.Email, 500, 50, 5, 500m, 500m, "w2")));
        var correction = Row(w.Email, 2_000, 150, 12, 6_000m, 1_200m, "w1-fix");
        correction.Corrects = new CorrectedRow { SourceRef = "w1" };
        var corrected = await w.CrmResults.RecordResultsAsync(outcomeId, Batch(correction));
        var twice = Row(w.Email, 1, 1, 1, 1m, 1m);
        twice.Corrects = new CorrectedRow { ResultId = first.Rows[0].ResultId };
        var refused = await Assert.ThrowsAsync<ApiException<Problem>>(() => w.CrmResults.RecordResultsAsync(outcomeId, Batch(twice)));
        var measures = (await w.CrmResults.GetActivityMeasuresAsync(outcomeId, w.Email.Id)).Measures;
        var rows = (await w.CrmResults.ListResultsAsync(outcomeId, activityId: w.Email.Id)).Items;

        Assert.Equal([RowOutcome.Duplicate, RowOutcome.Recorded, RowOutcome.Duplicate], again.Rows.Select(r => r.Outcome));
        Assert.Equal((1, 2), (again.Recorded, again.Duplicates));
        Assert.Equal((RowOutcome.Correction, first.Rows[0].ResultId), (corrected.Rows[0].Outcome, corrected.Rows[0].Supersedes));
        Assert.Equal(["rows[0].corrects"], refused.Result.Errors!.Keys);
        Assert.Equal((2L, 2_500L, 200L, 17L, 6_500m, 1_700m), (measures.Rows, measures.Reached, measures.Responses, measures.Conversions, measures.Revenue.Amount, measures.Cost.Amount));
        Assert.Equal(3, rows.Count);
        Assert.Equal(corrected.Rows[0].ResultId, rows.Single(r => r.SourceRef == "w1").SupersededBy);
    }

    [Fact]
    public async Task retries_of_one_idempotency_key_record_once_and_over_spending_is_flagged()
    {
        var w = await CreateAsync();

        var retries = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(Row(w.Mail, 100, 10, 1, 10m, 2_500m)), "batch-1")));
        var mail = (await w.CrmResults.GetActivityMeasuresAsync(w.Plans.Outcome.Id, w.Mail.Id)).Measures;

        Assert.Single(retries.Select(r => r.BatchId).Distinct());
        Assert.Equal((1L, 2_500m, 2_000m, true), (mail.Rows, mail.Cost.Amount, mail.Planned.Amount, mail.OverSpent));
    }

    [Fact]
    public async Task a_storm_of_result_batches_never_makes_plan_or_activity_edits_fail()
    {
        var w = await CreateAsync();
        var plan = await w.Crm.GetPlanAsync(w.Email.PlanId);
        var activity = w.Email;

        var batches = Enumerable.Range(0, 20).Select(i => w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(Row(w.Email, 10, 1, 0, 0m, 1m, $"storm-{i}"), Row(w.Mail, 10, 1, 0, 0m, 1m, $"storm-{i}")))).ToList();
        var edits = Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                activity = await w.Crm.RescheduleActivityAsync(activity.PlanId, activity.Id, activity.Version, new RescheduleActivityRequest { StartsOn = March1.AddDays(i), EndsOn = March1.AddDays(10 + i) });
            }

            return await w.Crm.RevisePlanAsync(plan.Id, plan.Version, new RevisePlanRequest { Title = "Revised during the storm" });
        });
        await Task.WhenAll(batches);
        var revised = await edits;

        Assert.Equal("Revised during the storm", revised.Title);
        Assert.Equal(40L, (await w.CrmResults.GetOutcomeMeasuresAsync(w.Plans.Outcome.Id)).Outcome.Rows);
    }

    [Fact]
    public async Task only_the_disciplines_record_their_results_everyone_in_the_organisation_reads_them_and_no_one_else()
    {
        var w = await CreateAsync();
        var outcomeId = w.Plans.Outcome.Id;
        var batch = Batch(Row(w.Email, 10, 1, 0, 0m, 1m));
        var organisation = w.Plans.Organisation;
        var cmo = Api.Results(await organisation.KeyAsync(Role.Cmo));
        var conductor = Api.Results(await organisation.KeyAsync(Role.Conductor));
        var digital = Api.Results(await organisation.KeyAsync(Role.Orchestrator, Discipline.Digital));
        var agency = Api.Results(await organisation.KeyAsync(Role.Agency, Discipline.Crm));
        var foreign = Api.Results(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Admin));

        Assert.Equal(403, await ApiCalls.StatusOf(() => cmo.RecordResultsAsync(outcomeId, batch)));
        Assert.Equal(403, await ApiCalls.StatusOf(() => conductor.RecordResultsAsync(outcomeId, batch)));
        Assert.Equal(403, await ApiCalls.StatusOf(() => digital.RecordResultsAsync(outcomeId, batch)));
        Assert.Equal(200, await ApiCalls.StatusOf(() => agency.RecordResultsAsync(outcomeId, batch)));
        Assert.Equal(200, await ApiCalls.StatusOf(() => cmo.GetOutcomeMeasuresAsync(outcomeId)));
        Assert.Equal(200, await ApiCalls.StatusOf(() => cmo.ListResultsAsync(outcomeId)));
        Func<ResultsClient, Task>[] everyRoute =
        [
            x => x.RecordResultsAsync(outcomeId, batch),
            x => x.ListResultsAsync(outcomeId),
            x => x.GetOutcomeMeasuresAsync(outcomeId),
            x => x.GetActivityMeasuresAsync(outcomeId, w.Email.Id),
        ];
        foreach (var route in everyRoute)
        {
            Assert.Equal(404, await ApiCalls.StatusOf(() => route(foreign)));
        }

        Assert.Equal(1, (await cmo.GetOutcomeMeasuresAsync(outcomeId)).Outcome.Rows);
    }

    [Fact]
    public async Task a_batch_holds_one_to_a_thousand_rows()
    {
        var w = await CreateAsync();
        var tooMany = Batch([.. Enumerable.Range(0, 1_001).Select(i => Row(w.Email, 1, 0, 0, 0m, 0m, $"r{i}"))]);

        var over = await Assert.ThrowsAsync<ApiException<Problem>>(() => w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, tooMany));
        var empty = await Assert.ThrowsAsync<ApiException<Problem>>(() => w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch()));
        var full = await w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch([.. tooMany.Rows.Take(1_000)]));

        Assert.Equal("must have at most 1,000 items.", Assert.Single(over.Result.Errors!["rows"]));
        Assert.Equal("must have at least one item.", Assert.Single(empty.Result.Errors!["rows"]));
        Assert.Equal(1_000, full.Recorded);
        Assert.Equal(1_000L, (await w.CrmResults.GetOutcomeMeasuresAsync(w.Plans.Outcome.Id)).Outcome.Rows);
    }

    [Fact]
    public async Task counts_a_row_may_carry_are_bounded_and_a_total_never_wraps()
    {
        var w = await CreateAsync();
        var huge = Row(w.Email, long.MaxValue, 1, 0, 0m, 1m, "huge");
        huge.Impressions = long.MaxValue;

        var tooBig = await Assert.ThrowsAsync<ApiException<Problem>>(() => w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(huge, Row(w.Email, long.MaxValue, 0, 0, 0m, 1m, "huge2"))));

        Assert.Equal(400, tooBig.StatusCode);
        Assert.Equal(["rows[0].impressions", "rows[0].reached", "rows[1].impressions", "rows[1].reached"], tooBig.Result.Errors!.Keys.Order());
        Assert.Equal("must be between 0 and 1,000,000,000,000.", tooBig.Result.Errors["rows[0].reached"].Single());

        // A thousand rows at the most a row may carry reach the most an outcome may total, exactly; one more is refused.
        var full = await w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch([.. Enumerable.Range(0, 1_000).Select(i =>
        {
            var row = Row(w.Email, 1_000_000_000_000, 0, 0, 0m, 0m, $"r{i}");
            row.Impressions = 0;
            return row;
        })]));
        var beyond = await Assert.ThrowsAsync<ApiException<Problem>>(() => w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(Row(w.Mail, 5, 0, 0, 0m, 0m, "m"), Row(w.Mail, 1, 0, 0, 0m, 0m, "n"))));
        var measures = (await w.CrmResults.GetOutcomeMeasuresAsync(w.Plans.Outcome.Id)).Outcome;

        Assert.Equal(1_000, full.Recorded);
        Assert.Equal(400, beyond.StatusCode);
        Assert.Equal(["rows[0].reached"], beyond.Result.Errors!.Keys);
        Assert.Contains("past 1,000,000,000,000,000", beyond.Result.Errors["rows[0].reached"].Single());
        Assert.Equal((1_000L, 1_000_000_000_000_000L, 0L), (measures.Rows, measures.Reached, measures.Impressions));
    }

    [Fact]
    public async Task revenue_and_cost_totals_stay_within_the_largest_amount_of_money()
    {
        var w = await CreateAsync();
        await w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(Row(w.Email, 1, 0, 0, 600_000_000_000m, 600_000_000_000m, "a")));

        var e = await Assert.ThrowsAsync<ApiException<Problem>>(() => w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(
            Row(w.Mail, 1, 0, 0, 1m, 1m, "b"), Row(w.Mail, 1, 0, 0, 600_000_000_000m, 600_000_000_000m, "c"))));
        var measures = (await w.CrmResults.GetOutcomeMeasuresAsync(w.Plans.Outcome.Id)).Outcome;

        Assert.Equal(400, e.StatusCode);
        Assert.Equal(["rows[1].cost.amount", "rows[1].revenue.amount"], e.Result.Errors!.Keys.Order());
        Assert.Equal((1L, 600_000_000_000m, 0m), (measures.Rows, measures.Revenue.Amount, measures.Roi.Value));
    }

    [Fact]
    public async Task a_batch_names_unstorable_text_values_out_of_bounds_and_broken_rules_of_every_row_in_one_answer()
    {
        var w = await CreateAsync();
        var nul = Row(w.Email, 10, 1, 0, 0m, 1m, "bad\0ref");
        var negative = Row(w.Email, 10, 1, 0, 0m, 1m, "neg");
        negative.Reached = -1;
        var dollars = Row(w.Mail, 10, 1, 0, 0m, 1m, "usd", currency: "USD");

        var e = await Assert.ThrowsAsync<ApiException<Problem>>(() => w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(nul, negative, dollars)));

        Assert.Equal(400, e.StatusCode);
        Assert.Equal(["rows[0].sourceRef", "rows[1].reached", "rows[2].cost.currency", "rows[2].revenue.currency"], e.Result.Errors!.Keys.Order());
        Assert.Empty((await w.CrmResults.ListResultsAsync(w.Plans.Outcome.Id)).Items);
        var healthy = await w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(Row(w.Email, 10, 1, 0, 0m, 1m, "ok")));
        Assert.Equal(1, healthy.Recorded);
    }

    [Fact]
    public async Task a_correction_may_carry_the_source_reference_of_the_row_it_corrects_and_is_never_dropped()
    {
        var w = await CreateAsync();
        var first = await w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(Row(w.Email, 1_000, 100, 10, 500m, 100m, "week-9")));
        var fix = Row(w.Email, 1_200, 120, 12, 600m, 100m, "week-9");
        fix.Corrects = new CorrectedRow { SourceRef = "week-9" };

        var corrected = await w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(fix));
        var again = await w.CrmResults.RecordResultsAsync(w.Plans.Outcome.Id, Batch(Row(w.Email, 5, 0, 0, 0m, 0m, "week-9")));
        var measures = (await w.CrmResults.GetActivityMeasuresAsync(w.Plans.Outcome.Id, w.Email.Id)).Measures;

        Assert.Equal((0, 0, 1), (corrected.Recorded, corrected.Duplicates, corrected.Corrections));
        Assert.Equal((RowOutcome.Correction, first.Rows[0].ResultId), (corrected.Rows[0].Outcome, corrected.Rows[0].Supersedes));
        Assert.Equal(RowOutcome.Duplicate, again.Rows[0].Outcome);
        Assert.Equal((1L, 1_200L, 120L, 600m), (measures.Rows, measures.Reached, measures.Responses, measures.Revenue.Amount));
    }
}
