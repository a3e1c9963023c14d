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
            // New rows are inserted (a plain INSERT each, no upsert); only the rows a correction supersedes are updated.
            operations.Insert([.. ResultRecord.Of(recorded)]);
            foreach (var correction in recorded.Rows.Where(r => r.Corrects is not null))
            {
                operations.Patch<ResultRecord>(correction.Corrects!.Value).Set(r => r.SupersededBy, correction.Id);
            }
        }

        return ValueTask.CompletedTask;
    }
}
