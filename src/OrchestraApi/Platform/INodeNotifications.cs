namespace OrchestraApi.Platform;

/// <summary>
/// A PostgreSQL NOTIFY channel by which the nodes of the API keep their memories of the database true: a node that
/// changes what others hold in memory notifies the channel in the change's transaction (delivered only if it commits),
/// and every node's <see cref="NodeNotificationListener"/> passes what it hears on.
/// </summary>
public interface INodeNotifications
{
    /// <summary>The channel's name (a plain identifier).</summary>
    string Channel { get; }

    /// <summary>A notification from a node (this one's included, when it sends any).</summary>
    void Heard(string payload);

    /// <summary>The listener was away (its connection lost): notifications may have been missed.</summary>
    void MayHaveMissed();
}
