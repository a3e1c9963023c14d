using JasperFx.Events;
using Marten.Events.Projections;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>
/// Each connection's document, folded by <see cref="Connection"/>'s own fold from the events of its outcome's graph
/// stream that name it: inline, so the document commits with the event and a command's answer (the same fold) agrees
/// with what the next read finds.
/// </summary>
public sealed class ConnectionProjection : MultiStreamProjection<Connection, Guid>
{
    public ConnectionProjection()
    {
        Identity<IConnectionEvent>(e => e.ConnectionId);
    }

    public override Connection Evolve(Connection? snapshot, Guid id, IEvent e) => Fold.Next(snapshot, e.Data);
}
