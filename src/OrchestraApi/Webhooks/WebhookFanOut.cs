using Marten;
using OrchestraApi.Feed;

namespace OrchestraApi.Webhooks;

/// <summary>
/// Queues each newly numbered feed entry for every enabled endpoint of its organisation that wants it, through the
/// feed subscription's operations: the deliveries commit with the entries, so an event is queued exactly once per
/// endpoint whatever happens to the node.
/// </summary>
public static class WebhookFanOut
{
    /// <summary>Each endpoint's registration event's sequence, by endpoint id (ids are unique across organisations).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, long> RegisteredAt = new();

    /// <summary>Queues <paramref name="entries"/>, each with the store sequence of the event it numbers.</summary>
    public static async Task QueueAsync(IDocumentOperations tenant, IReadOnlyList<(FeedEntry Entry, long Sequence)> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var endpoints = await tenant.Query<WebhookEndpoint>().Where(e => e.Enabled).ToListAsync(ct);
        if (endpoints.Count == 0)
        {
            return;
        }

        // An endpoint receives what follows its registration in the feed, never what came before it — however far
        // the feed trails the writes (the endpoint's document exists as soon as it is registered, its registration
        // is numbered when the feed reaches it).
        // A registration's sequence never changes: each is read once (an organisation has at most 20 endpoints).
        var unknown = endpoints.Select(e => e.Id).Where(id => !RegisteredAt.ContainsKey(id)).ToArray();
        if (unknown.Length > 0)
        {
            foreach (var registration in await tenant.Events.QueryAllRawEvents().Where(e => e.StreamId.IsOneOf(unknown) && e.Version == 1).ToListAsync(ct))
            {
                RegisteredAt[registration.StreamId] = registration.Sequence;
            }
        }

        foreach (var (entry, sequence) in entries)
        {
            foreach (var endpoint in endpoints.Where(e => Receives(RegisteredAt.GetValueOrDefault(e.Id, long.MaxValue), sequence) && e.Wants(entry.Type, entry.OutcomeId)))
            {
                tenant.Store(WebhookDelivery.Of(endpoint.Id, entry, WebhookDeliveryTrigger.Event, entry.Time));
            }
        }
    }

    /// <summary>Whether an endpoint registered by the event at <paramref name="registeredAt"/> receives the event at <paramref name="sequence"/>.</summary>
    public static bool Receives(long registeredAt, long sequence) => sequence > registeredAt;
}
