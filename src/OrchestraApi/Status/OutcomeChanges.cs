using System.Collections.Immutable;
using Marten;
using Npgsql;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>
/// Tells who follows outcome statuses (the portfolio, the live stream) that a command committed a change to one
/// (decision 20), read from the events the command appended (<see cref="Of"/>), never from its answer's type, so no
/// command can forget to say it. In this process the command pipeline calls <see cref="Committed"/> after the commit and before the
/// answer leaves, so a client that reads after its answer always finds its change marked. Other instances hear it
/// through PostgreSQL: the command's transaction also sends a NOTIFY, delivered only if it commits, which each
/// instance's <see cref="NodeNotificationListener"/> passes on.
/// </summary>
public sealed class OutcomeChanges : ICommitObserver, INodeNotifications
{
    public const string ChannelName = "orchestra_outcome_changes";

    public string Channel => ChannelName;

    private ImmutableArray<Action<string?, Guid?>> _listeners = [];

    /// <summary>This process, in the notifications it sends, so it does not hear its own twice.</summary>
    private readonly string _instance = Guid.NewGuid().ToString("N");

    /// <summary>Hears a change: the organisation (null: every organisation) and the outcome (null: any of its outcomes).</summary>
    public void Listen(Action<string?, Guid?> listener) => ImmutableInterlocked.Update(ref _listeners, l => l.Add(listener));

    /// <summary>
    /// What a session's pending events change: each outcome an event names, or null (any outcome of the organisation)
    /// for an event that names none (a segment, which any outcome's KPIs may follow). Read before it saves.
    /// </summary>
    public static IReadOnlyList<Guid?> Of(IDocumentSession session) =>
        [.. session.PendingChanges.Streams().SelectMany(s => s.Events).Select(e => e.Data is IOutcomeEvent o ? o.OutcomeId : (Guid?)null).Distinct()];

    /// <summary>In the command's transaction, before it commits: the notifications other instances will hear.</summary>
    public void Enlist(IDocumentSession session, IReadOnlyList<Guid?> changed)
    {
        // NOTIFY, not pg_notify(): a statement with no result set, as the batch expects. Its payload is a literal, so it
        // is made only of ids (hex digits, dashes) and separators, and checked to be.
        foreach (var outcome in changed)
        {
            var payload = $"{_instance}/{session.TenantId}/{outcome?.ToString() ?? "*"}";
            if (payload.All(c => char.IsAsciiHexDigit(c) || c is '-' or '/' or '*'))
            {
                session.QueueSqlCommand($"NOTIFY {ChannelName}, '{payload}'");
            }
        }
    }

    /// <summary>After the command committed, in this process.</summary>
    public void Committed(string tenant, IReadOnlyList<Guid?> changed)
    {
        foreach (var outcome in changed)
        {
            Tell(tenant, outcome);
        }
    }

    /// <summary>In the command's transaction: what it changed, and the notifications other instances will hear.</summary>
    object? ICommitObserver.Saving(IDocumentSession session)
    {
        var changed = Of(session);
        Enlist(session, changed);
        return changed;
    }

    void ICommitObserver.Committed(string tenant, object? saving) => Committed(tenant, (IReadOnlyList<Guid?>)saving!);

    /// <summary>A notification from another instance (its own are skipped: <see cref="Committed"/> told them already).</summary>
    public void Heard(string payload)
    {
        var parts = payload.Split('/');
        if (parts.Length == 3 && parts[0] != _instance)
        {
            Tell(parts[1], Guid.TryParse(parts[2], out var outcomeId) ? outcomeId : null);
        }
    }

    /// <summary>Notifications may have been missed (the listener lost its connection): everything may have changed.</summary>
    public void MayHaveMissed() => Tell(null, null);

    private void Tell(string? tenant, Guid? outcomeId)
    {
        foreach (var listener in _listeners)
        {
            listener(tenant, outcomeId);
        }
    }
}
