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
    public static async Task QueueAsync(IDocumentOperations tenant, string organisation, IReadOnlyList<FeedEntry> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var endpoints = await tenant.Query<WebhookEndpoint>().Where(e => e.Enabled).ToListAsync(ct);
        // An endpoint registered in this page receives what follows its registration, not what came before it.
        var from = endpoints.ToDictionary(e => e.Id, e => entries.FirstOrDefault(x => x.StreamId == e.Id && x.StreamVersion == 1)?.Id ?? 0);
        foreach (var entry in entries)
        {
            foreach (var endpoint in endpoints.Where(e => entry.Id >= from[e.Id] && e.Wants(entry.Type, entry.OutcomeId)))
            {
                tenant.Store(WebhookDelivery.Of(endpoint.Id, entry, WebhookDeliveryTrigger.Event, entry.Time));
            }
        }
    }
}
