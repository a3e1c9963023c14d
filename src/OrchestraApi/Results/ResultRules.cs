using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Results;

/// <summary>What a batch decides: the event (its rows become documents by <see cref="ResultRecordProjection"/>) and the answer.</summary>
public sealed record ResultDecision(ResultsRecorded Event, ResultBatch Answer);

/// <summary>The result rules as a decision: every row judged, every problem of every row reported at once.</summary>
public static class ResultRules
{
    /// <summary>The most a row may count of anything (audience, impressions, responses, conversions): 10^12.</summary>
    public const long MaxCount = 1_000_000_000_000;

    public const string MaxCountText = "1000000000000";

    public const string CountMessage = "must be between 0 and 1,000,000,000,000.";

    /// <summary>The most an outcome's results may add up to in any count (10^15), so no total, roll-up or ratio can wrap.</summary>
    public const long MaxTotal = 1_000_000_000_000_000;

    public const string MaxTotalText = "1000000000000000";

    public static ResultDecision Decide(
        RecordResults command, Outcome outcome, Totals recorded, IReadOnlyDictionary<Guid, Activity> activities, IReadOnlyList<ResultRecord> earlier, Guid batchId, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        var rows = command.Request.Rows;
        var currency = outcome.Budget.Currency;
        var seen = new HashSet<(Guid, string)>(earlier.Where(r => r.SourceRef is not null).Select(r => (r.ActivityId, r.SourceRef!)));
        var corrected = new HashSet<Guid>();
        var counted = new List<(int Index, ResultRow Row)>();
        var superseded = new List<ResultRecord>();
        var answers = new List<RowAnswer>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var at = $"rows[{i}]";
            if (!activities.TryGetValue(row.ActivityId, out var activity))
            {
                errors[$"{at}.activityId"] = ["is not an activity of this outcome."];
                continue;
            }

            PlanAccess.EnsureMayActFor(command.Caller, activity.Discipline, $"Results of {activity.Discipline} activities are recorded by that discipline's orchestrator or agencies.");
            if (row.To < row.From)
            {
                errors[$"{at}.to"] = ["must be on or after `from`."];
            }

            if (row.Revenue.Currency != currency)
            {
                errors[$"{at}.revenue.currency"] = [$"must be the outcome's currency, {currency}."];
            }

            if (row.Cost.Currency != currency)
            {
                errors[$"{at}.cost.currency"] = [$"must be the outcome's currency, {currency}."];
            }

            var replaced = row.Corrects is { } corrects
                ? (corrects.ResultId, corrects.SourceRef) switch
                {
                    ({ } id, null) => earlier.FirstOrDefault(r => r.Id == id && r.ActivityId == activity.Id),
                    (null, { } source) => earlier.FirstOrDefault(r => r.SourceRef == source && r.ActivityId == activity.Id && r.SupersededBy is null),
                    _ => null,
                }
                : null;

            // A correction may carry the reference of the row it corrects: that row leaves the totals, so it is no duplicate.
            if (row.SourceRef is { } reference && !seen.Add((activity.Id, reference)) && replaced?.SourceRef != reference)
            {
                answers.Add(new RowAnswer(i, RowOutcome.Duplicate, null, null, [$"'{reference}' was already recorded for this activity; not counted again."]));
                continue;
            }

            if (row.Corrects is { } correction)
            {
                if (correction.ResultId is null == correction.SourceRef is null)
                {
                    errors[$"{at}.corrects"] = ["names the earlier row by `resultId` or by `sourceRef`, one of them."];
                }
                else if (replaced is null)
                {
                    errors[$"{at}.corrects"] = ["names no recorded row of this activity."];
                }
                else if (replaced.SupersededBy is not null || !corrected.Add(replaced.Id))
                {
                    errors[$"{at}.corrects"] = ["names a row that is already corrected: correct the correction instead."];
                }
            }

            var counts = new ResultRow(
                Guid.CreateVersion7(), activity.Id, activity.PlanId, activity.Discipline, row.From, row.To, row.Reached, row.Impressions, row.Responses,
                row.Conversions, row.Revenue.Amount, row.Cost.Amount, row.SourceRef, replaced?.Id);
            counted.Add((i, counts));
            if (replaced is not null)
            {
                superseded.Add(replaced);
            }

            answers.Add(new RowAnswer(i, replaced is null ? RowOutcome.Recorded : RowOutcome.Correction, counts.Id, replaced?.Id, Warnings(row)));
        }

        if (errors.Count == 0 && rows.All(RowInBounds))
        {
            WithinBounds(recorded, counted, superseded, currency, errors);
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var e = new ResultsRecorded(batchId, command.OutcomeId, [.. counted.Select(c => c.Row)], [.. superseded.Select(r => r.Row)], currency, command.Caller.Name, now);
        var batch = new ResultBatch(
            batchId, command.OutcomeId, answers.Count(a => a.Outcome == RowOutcome.Recorded), answers.Count(a => a.Outcome == RowOutcome.Duplicate),
            answers.Count(a => a.Outcome == RowOutcome.Correction), answers);
        return new ResultDecision(e, batch);
    }

    /// <summary>
    /// The outcome's totals after the batch stay within the contract's bounds (the outcome's totals bound every
    /// discipline's, plan's and activity's, as rows count only up). The first row that would take a total past its
    /// bound is named, per field; nothing of the batch is stored.
    /// </summary>
    private static void WithinBounds(Totals recorded, List<(int Index, ResultRow Row)> counted, List<ResultRecord> superseded, string currency, Dictionary<string, string[]> errors)
    {
        var total = superseded.Aggregate(recorded, (t, r) => t.Add(r.Row, -1));
        foreach (var (index, row) in counted)
        {
            var next = total.Add(row, 1);
            // Only the first row to pass a field's bound is named for it.
            void Check(string field, decimal value, decimal limit, string what, string unit = "")
            {
                if (value > limit && !errors.Keys.Any(k => k.EndsWith($".{field}", StringComparison.Ordinal)))
                {
                    errors[$"rows[{index}].{field}"] = [$"would take the outcome's total {what} past {limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}{unit}, the most an outcome's results may add up to."];
                }
            }

            Check("reached", next.Reached, MaxTotal, "audience reached");
            Check("impressions", next.Impressions, MaxTotal, "impressions");
            Check("responses", next.Responses, MaxTotal, "responses");
            Check("conversions", next.Conversions, MaxTotal, "conversions");
            Check("revenue.amount", next.Revenue, Money.Max, "revenue", $" {currency}");
            Check("cost.amount", next.Cost, Money.Max, "cost", $" {currency}");
            total = next;
        }
    }

    /// <summary>A row whose own values are in bounds (a batch judged whole may hold others; they are reported already).</summary>
    private static bool RowInBounds(ResultRowRequest r) =>
        new[] { r.Reached, r.Impressions, r.Responses, r.Conversions }.All(c => c is >= 0 and <= MaxCount)
        && r.Revenue.Amount is >= 0 and <= Money.Max && r.Cost.Amount is >= 0 and <= Money.Max;

    /// <summary>Real data is messy: inconsistent counts are accepted, and said.</summary>
    private static List<string> Warnings(ResultRowRequest row)
    {
        var warnings = new List<string>();
        if (row.Conversions > row.Responses)
        {
            warnings.Add("More conversions than responses.");
        }

        if (row.Responses > row.Reached)
        {
            warnings.Add("More responses than audience reached.");
        }

        return warnings;
    }
}
