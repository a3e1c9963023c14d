namespace OrchestraApi.Results;

/// <summary>
/// A recorded result row as a document: what lists and corrections read. Written from its batch's event by an inline
/// projection (<see cref="ResultRecordProjection"/>), so it commits with the event.
/// </summary>
/// <param name="SupersededBy">The correction that replaced it; its figures then no longer count.</param>
public sealed record ResultRecord(
    Guid Id,
    Guid OutcomeId,
    Guid ActivityId,
    string? SourceRef,
    Guid BatchId,
    ResultRow Row,
    string Currency,
    Guid? SupersededBy,
    string By,
    DateTimeOffset RecordedAt)
{
    /// <summary>The rows a batch records, as documents: the one function that writes them.</summary>
    public static IEnumerable<ResultRecord> Of(ResultsRecorded e) =>
        e.Rows.Select(r => new ResultRecord(r.Id, e.OutcomeId, r.ActivityId, r.SourceRef, e.BatchId, r, e.Currency, null, e.By, e.At));
}
