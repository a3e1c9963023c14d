namespace OrchestraApi.Sdk;

public partial interface IResultsClient
{
    /// <summary>
    /// Records any number of result rows, in batches of up to 1,000 (the API's limit), one after another. Batch
    /// <c>n</c> carries the Idempotency-Key <c>{importKey}-{n}</c>: run the same import again with the same
    /// <paramref name="importKey"/> (e.g. <c>crm-2027-03-07</c>) after a crash, and the batches already recorded
    /// answer as they did while the rest are recorded — every row counts once. Without a key, one is generated.
    /// A rejected batch throws (<see cref="ValidationProblemException"/> names its rows, counted within that batch);
    /// the batches before it stay recorded.
    /// </summary>
    /// <returns>Each batch's answer, in order.</returns>
    Task<IReadOnlyList<ResultBatch>> RecordAllResultsAsync(Guid outcomeId, IEnumerable<ResultRowRequest> rows, string? importKey = null, CancellationToken cancellationToken = default);
}

public partial class ResultsClient
{
    /// <summary>The most rows the API takes in one batch.</summary>
    public const int MaxRowsPerBatch = 1_000;

    public async Task<IReadOnlyList<ResultBatch>> RecordAllResultsAsync(Guid outcomeId, IEnumerable<ResultRowRequest> rows, string? importKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var key = importKey ?? Guid.NewGuid().ToString();
        if (key.Length > 90)
        {
            throw new ArgumentException("An import key has at most 90 characters (the batch number is added to it).", nameof(importKey));
        }

        var batches = new List<ResultBatch>();
        foreach (var chunk in rows.Chunk(MaxRowsPerBatch))
        {
            batches.Add(await RecordResultsAsync(outcomeId, new RecordResultsRequest { Rows = chunk }, $"{key}-{batches.Count}", cancellationToken).ConfigureAwait(false));
        }

        return batches;
    }
}
