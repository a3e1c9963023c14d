using JasperFx.Events.Projections;
using Marten;

namespace OrchestraApi.Connections;

public static class ConnectionsStore
{
    public static void AddConnections(this StoreOptions marten) =>
        // Inline: a change answers with the connection as the next read sees it.
        marten.Projections.Snapshot<ConnectionGraph>(SnapshotLifecycle.Inline);
}
