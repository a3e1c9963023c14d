using System.Collections.Concurrent;
using Marten;
using OrchestraApi.Platform;

namespace OrchestraApi.Feed;

/// <summary>
/// Wakes the feed's long polls and streams on every node when an organisation's feed moves: the subscription notifies
/// the channel in the transaction that numbers the entries (<see cref="Enlist"/>), every node's listener hears it.
/// Counts the feed streams each organisation holds open, within the same limit as live status streams.
/// </summary>
public sealed class FeedSignals(Microsoft.Extensions.Options.IOptions<RateLimitSettings> limits) : INodeNotifications
{
    public const string ChannelName = "orchestra_feed";

    private const string AnyOrganisation = "*";
    private const string DeliveriesQueued = "deliveries";

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _moves = new();
    private readonly ConcurrentDictionary<string, int> _open = new();

    public string Channel => ChannelName;

    /// <summary>Feed streams open on this node, every organisation's together.</summary>
    public int OpenStreams => _open.Values.Sum();

    /// <summary>In the numbering transaction: every node hears that the organisation's feed reached <paramref name="position"/> once it commits.</summary>
    public static void Enlist(IDocumentOperations operations, string tenant, long position)
    {
        // NOTIFY's payload is a literal: an organisation id and a number, formatted by us, checked to be nothing else.
        var payload = $"{tenant}/{position}";
        if (payload.All(c => char.IsAsciiHexDigit(c) || c is '-' or '/'))
        {
            operations.QueueSqlCommand($"NOTIFY {ChannelName}, '{payload}'");
        }
    }

    /// <summary>
    /// In a transaction that queues webhook deliveries outside the feed's numbering (a replay, a test send): once it
    /// commits, the dispatcher wakes on whichever node sends (<see cref="AnyMove"/>), and no organisation's readers do.
    /// </summary>
    public static void EnlistDeliveriesQueued(IDocumentOperations operations) => operations.QueueSqlCommand($"NOTIFY {ChannelName}, '{DeliveriesQueued}'");

    /// <summary>Completes when the organisation's feed next moves (take it before reading, so no move falls between).</summary>
    public Task NextMove(string tenant) =>
        _moves.GetOrAdd(tenant, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Completes when any organisation's feed next moves (the webhook dispatcher's wake-up).</summary>
    public Task AnyMove() => NextMove(AnyOrganisation);

    public void Heard(string payload)
    {
        foreach (var tenant in new[] { payload.Split('/')[0], AnyOrganisation })
        {
            if (_moves.TryRemove(tenant, out var move))
            {
                move.TrySetResult();
            }
        }
    }

    public void MayHaveMissed()
    {
        foreach (var tenant in _moves.Keys)
        {
            Heard(tenant);
        }
    }

    /// <summary>Counts a stream against its organisation until disposed; beyond the limit a 429 (<see cref="TooManyStreamsException"/>).</summary>
    public IDisposable Open(string tenant)
    {
        var limit = limits.Value.LiveStreamsPerOrganisation;
        if (_open.AddOrUpdate(tenant, 1, (_, open) => open + 1) > limit)
        {
            Close(tenant);
            throw new TooManyStreamsException(limit);
        }

        return new Closing(() => Close(tenant));
    }

    private void Close(string tenant) => _open.AddOrUpdate(tenant, 0, (_, open) => open - 1);

    private sealed class Closing(Action close) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                close();
            }
        }
    }
}
