using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Marten.Patching;

namespace OrchestraApi.Results;

/// <summary>
/// Writes a batch's rows as documents (<see cref="ResultRecord.Of"/>) and marks each row a correction in it replaces,
/// inline: the rows commit with the batch's event, and the next batch judges duplicates and corrections against them.
/// </summary>
public sealed partial class ResultRecordProjection : EventProjection
{
    public ResultRecordProjection()
    {
        IncludeType<ResultsRecorded>();
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (e.Data is ResultsRecorded recorded)
        {
            // New rows are inserted by one statement (the batch's rows as arrays, unnested); only the rows a correction
            // supersedes are updated.
            Insert(operations, [.. ResultRecord.Of(recorded)]);
            foreach (var correction in recorded.Rows.Where(r => r.Corrects is not null))
            {
                operations.Patch<ResultRecord>(correction.Corrects!.Value).Set(r => r.SupersededBy, correction.Id);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Inserts the rows as documents in one statement, in the session's transaction: what Marten's insert of each would
    /// write (the serializer's JSON, the duplicated columns), without a statement per row.
    /// </summary>
    private static void Insert(IDocumentOperations operations, IReadOnlyList<ResultRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        var serializer = operations.DocumentStore.Options.Serializer();
        var table = $"{operations.DocumentStore.Options.DatabaseSchemaName}.mt_doc_resultrecord";
        operations.QueueSqlCommand(
            $"insert into {table} (tenant_id, id, data, mt_dotnet_type, outcome_id, activity_id, batch_id, source_ref) " +
            "select ?, x.id, x.data::jsonb, ?, x.outcome_id, x.activity_id, x.batch_id, x.source_ref from unnest(?::uuid[], ?::text[], ?::uuid[], ?::uuid[], ?::uuid[], ?::varchar[]) as x(id, data, outcome_id, activity_id, batch_id, source_ref)",
            operations.TenantId, typeof(ResultRecord).FullName!,
            records.Select(r => r.Id).ToArray(), records.Select(r => serializer.ToJson(r)).ToArray(), records.Select(r => r.OutcomeId).ToArray(),
            records.Select(r => r.ActivityId).ToArray(), records.Select(r => r.BatchId).ToArray(), records.Select(r => r.SourceRef).ToArray());
    }
}
