using System.Collections.Immutable;

namespace OrchestraApi.Platform;

/// <summary>A command's answer that names the outcome whose status it may have changed (null: any of the organisation's).</summary>
public interface IStatusChange
{
    Guid? ChangedOutcome { get; }
}

/// <summary>
/// Tells who follows outcome statuses (the portfolio, the live stream) that a command committed a change to one. The
/// command pipeline calls it after the transaction commits and before the answer leaves, so a client that reads after
/// its answer always finds its change marked. In-process: with several API instances, each would need to hear the
/// others' commits (e.g. PostgreSQL LISTEN/NOTIFY) — see decision 20.
/// </summary>
public sealed class OutcomeChanges
{
    private ImmutableArray<Action<string, Guid?>> _listeners = [];

    public void Listen(Action<string, Guid?> listener) => ImmutableInterlocked.Update(ref _listeners, l => l.Add(listener));

    public void Committed(string tenant, object? answer)
    {
        if (answer is IStatusChange change)
        {
            foreach (var listener in _listeners)
            {
                listener(tenant, change.ChangedOutcome);
            }
        }
    }
}
