namespace OrchestraApi.Results;

/// <summary>A recorded result row as a document: what lists and corrections read. Written with its batch's event.</summary>
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
    DateTimeOffset RecordedAt);
