using JasperFx.Events.Projections;
using Marten;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

public static class ConnectionsStore
{
    public static void AddConnections(this StoreOptions marten)
    {
        // The graph's snapshot only names its outcome: the stream is what connection commands lock.
        marten.Projections.Add(new FoldProjection<ConnectionGraph>(), ProjectionLifecycle.Inline);
        marten.Projections.Add(new ConnectionProjection(), ProjectionLifecycle.Inline);
        marten.Schema.For<Connection>().Duplicate(c => c.OutcomeId);
    }
}
