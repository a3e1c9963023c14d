using JasperFx.Events.Projections;
using Marten;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

public static class OutcomesStore
{
    public static void AddOutcomes(this StoreOptions marten)
    {
        // Inline: a command's answer and the next read see the same state, in the same transaction.
        marten.Projections.Add(new FoldProjection<Outcome>(), ProjectionLifecycle.Inline);
        marten.Schema.For<Outcome>().Duplicate(o => o.Status).Duplicate(o => o.Conductor);
        marten.Projections.Add<KpiCatalogueProjection>(ProjectionLifecycle.Async);
    }
}
