using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Results;

/// <summary>An earlier row a correction replaces: by its id, or by the source reference it was recorded with.</summary>
/// <param name="ResultId">The recorded result row's id.</param>
/// <param name="SourceRef">Your own id for the row, as recorded; a row with a reference already recorded for its activity is a duplicate.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CorrectedRow(Guid? ResultId = null, [property: StringLength(200, MinimumLength = 1)] string? SourceRef = null);

/// <summary>One row of results of one activity over a period. Each count is 0 to 1,000,000,000,000 (10^12).</summary>
/// <param name="Reached">Audience reached.</param>
/// <param name="Impressions">Impressions.</param>
/// <param name="Responses">Responses.</param>
/// <param name="Revenue">Revenue, in the outcome's currency.</param>
/// <param name="Cost">Cost, in the outcome's currency.</param>
/// <param name="SourceRef">Your own id for the row: a row whose reference was already recorded for the activity is a duplicate and does not count twice.</param>
/// <param name="Corrects">Makes this row a correction that supersedes an earlier row of the same activity (kept in history).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ResultRowRequest(
    Guid ActivityId,
    DateOnly From,
    DateOnly To,
    [property: Range(typeof(long), "0", ResultRules.MaxCountText, ErrorMessage = ResultRules.CountMessage)] long Reached,
    [property: Range(typeof(long), "0", ResultRules.MaxCountText, ErrorMessage = ResultRules.CountMessage)] long Impressions,
    [property: Range(typeof(long), "0", ResultRules.MaxCountText, ErrorMessage = ResultRules.CountMessage)] long Responses,
    [property: Range(typeof(long), "0", ResultRules.MaxCountText, ErrorMessage = ResultRules.CountMessage)] long Conversions,
    [property: Required] Money Revenue,
    [property: Required] Money Cost,
    [property: StringLength(200, MinimumLength = 1)] string? SourceRef = null,
    CorrectedRow? Corrects = null);

/// <summary>A batch of result rows across activities of one outcome, recorded all or nothing.</summary>
/// <param name="Rows">1 to 1,000 rows.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RecordResultsRequest([property: Required, MinLength(1), MaxLength(RecordResults.MaxRows)] IReadOnlyList<ResultRowRequest> Rows)
    : IHasExample<RecordResultsRequest>, IHasIdsFromOtherCalls, IJudgedWhole
{
    public static string IdsFrom => "Each row's `activityId` is the `id` that \"Schedule an activity\" answered for an activity of this outcome. The example's is that of this document's example answers, not of your data: sent as it is, the batch answers 400 (`rows[0].activityId` is not an activity of this outcome).";

    public static RecordResultsRequest Example => new(
    [
        new ResultRowRequest(
            ContractExamples.Ids.Activity, new DateOnly(2027, 3, 1), new DateOnly(2027, 3, 7), 120_000, 480_000, 3_600, 410,
            new Money(38_950m, "EUR"), new Money(12_500m, "EUR"), "crm-2027-w09-email"),
    ]);
}

public enum RowOutcome
{
    /// <summary>Recorded and counted.</summary>
    Recorded,

    /// <summary>Its source reference was already recorded for the activity: not counted again.</summary>
    Duplicate,

    /// <summary>Recorded, superseding an earlier row.</summary>
    Correction,
}

/// <summary>What happened to one row of the batch.</summary>
/// <param name="Index">The row's position in the batch, from 0.</param>
/// <param name="Outcome">What happened to the row: recorded, a duplicate of one recorded before, or a correction.</param>
/// <param name="ResultId">The recorded result row's id.</param>
/// <param name="Supersedes">The earlier row this correction replaced.</param>
/// <param name="Warnings">Messy but accepted data, e.g. more conversions than responses.</param>
public sealed record RowAnswer(int Index, RowOutcome Outcome, Guid? ResultId, Guid? Supersedes, [property: MaxLength(5), ItemsLength(300)] IReadOnlyList<string> Warnings);

/// <summary>A recorded batch: what counted, what was a duplicate, what corrected an earlier row.</summary>
/// <param name="BatchId">The result batch it was recorded in.</param>
/// <param name="Recorded">How many rows of the batch were recorded and counted.</param>
/// <param name="Duplicates">How many rows of the batch were duplicates (their source reference was already recorded) and did not count.</param>
/// <param name="Corrections">How many rows of the batch corrected an earlier row.</param>
/// <param name="Rows">Result rows.</param>
public sealed record ResultBatch(Guid BatchId, Guid OutcomeId, int Recorded, int Duplicates, int Corrections, [property: MaxLength(RecordResults.MaxRows)] IReadOnlyList<RowAnswer> Rows);

public sealed record RecordResults(Guid OutcomeId, RecordResultsRequest Request, [property: JsonIgnore] Caller Caller, [property: JsonIgnore] string? IdempotencyKey)
    : IIdempotentCommand<ResultBatch>, ICommitsAlone
{
    public const int MaxRows = 1_000;

    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<RecordResults, ResultBatch>
    {
        public async Task<ResultBatch> Handle(RecordResults command, CancellationToken cancellationToken)
        {
            var outcome = await session.OutcomeAsync(command.OutcomeId, cancellationToken);
            // Batches of one outcome are recorded one at a time, so duplicates and corrections are judged against every
            // row committed before; plans and activities are not locked, so plan edits never wait for results.
            var stream = await session.LockAsync<OutcomeResults>(OutcomeResults.IdOf(command.OutcomeId), cancellationToken);
            var rows = command.Request.Rows;
            var activities = (await session.LoadManyAsync<Activity>(cancellationToken, rows.Select(r => r.ActivityId).Distinct()))
                .Where(a => a.OutcomeId == command.OutcomeId)
                .ToDictionary(a => a.Id);
            // Text that cannot be stored (a batch judged whole may hold some) never reaches a query.
            List<string?> refs = [.. rows.Where(r => r.SourceRef is not null).Select(r => r.SourceRef)
                .Concat(rows.Where(r => r.Corrects?.SourceRef is not null).Select(r => r.Corrects!.SourceRef)).Distinct().Where(RequestValidation.Storable)];
            var ids = rows.Where(r => r.Corrects?.ResultId is not null).Select(r => r.Corrects!.ResultId!.Value).Distinct().ToList();
            var activityIds = activities.Keys.ToList();
            // Two lookups, each of which the source-reference or id index can answer alone (no OR between them).
            var ofBatch = session.Query<ResultRecord>().Where(r => r.OutcomeId == command.OutcomeId && r.ActivityId.IsOneOf(activityIds));
            List<ResultRecord> earlier =
            [
                .. refs.Count == 0 ? [] : await ofBatch.Where(r => r.SourceRef.IsOneOf(refs)).ToListAsync(cancellationToken),
                .. ids.Count == 0 ? [] : await ofBatch.Where(r => r.Id.IsOneOf(ids)).ToListAsync(cancellationToken),
            ];
            earlier = [.. earlier.DistinctBy(r => r.Id)];

            var decision = ResultRules.Decide(command, outcome, stream.Aggregate?.Outcome ?? Totals.Zero, activities, earlier, Guid.CreateVersion7(), clock.GetUtcNow());
            stream.AppendOne(decision.Event);
            return decision.Answer;
        }
    }
}
