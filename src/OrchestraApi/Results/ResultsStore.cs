using JasperFx.Events.Projections;
using Marten;
using OrchestraApi.Platform;

namespace OrchestraApi.Results;

public static class ResultsStore
{
    public static void AddResults(this StoreOptions marten)
    {
        // Inline: a batch's answer and the next measures read agree, in the same transaction.
        marten.Projections.Add(new FoldProjection<OutcomeResults>(), ProjectionLifecycle.Inline);
        marten.Projections.Add(new ResultRecordProjection(), ProjectionLifecycle.Inline);
        // source_ref is indexed: duplicates are looked up by it in every batch, however many rows the outcome has.
        marten.Schema.For<ResultRecord>().Duplicate(r => r.OutcomeId).Duplicate(r => r.ActivityId).Duplicate(r => r.BatchId).Duplicate(r => r.SourceRef!);
        marten.Schema.For<KpiObservation>().Duplicate(o => o.OutcomeId);
    }
}
