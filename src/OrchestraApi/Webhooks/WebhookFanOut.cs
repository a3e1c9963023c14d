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
        var ids = endpoints.Select(e => e.Id).ToArray();
        var registrations = await tenant.Events.QueryAllRawEvents().Where(e => e.StreamId.IsOneOf(ids) && e.Version == 1).ToListAsync(ct);
        var registeredAt = registrations.ToDictionary(e => e.StreamId, e => e.Sequence);
        foreach (var (entry, sequence) in entries)
        {
            foreach (var endpoint in endpoints.Where(e => Receives(registeredAt.GetValueOrDefault(e.Id, long.MaxValue), sequence) && e.Wants(entry.Type, entry.OutcomeId)))
            {
                tenant.Store(WebhookDelivery.Of(endpoint.Id, entry, WebhookDeliveryTrigger.Event, entry.Time));
            }
        }
    }

    /// <summary>Whether an endpoint registered by the event at <paramref name="registeredAt"/> receives the event at <paramref name="sequence"/>.</summary>
    public static bool Receives(long registeredAt, long sequence) => sequence > registeredAt;
}
