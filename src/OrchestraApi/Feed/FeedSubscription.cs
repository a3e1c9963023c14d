using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using OrchestraApi.Status;

namespace OrchestraApi.Feed;

/// <summary>
/// Numbers every public change per organisation (<see cref="PublicEvents"/>), in the order the daemon hands events
/// over (commit order below the high-water mark). The entries and each organisation's head are written through the page's operations, which Marten commits in
/// the same transaction as the subscription's progress: a page is numbered once, whichever node leads, however often
/// the leader dies.
/// </summary>
public sealed class FeedSubscription : SubscriptionBase
{
    public const string SubscriptionName = "Feed";

    public FeedSubscription()
    {
        Name = SubscriptionName;
        Options.BatchSize = 500;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var changes = page.Events.Select(e => (Event: e, Change: PublicEvents.Of(e.Data))).Where(c => c.Change is not null);
        foreach (var organisation in changes.GroupBy(c => c.Event.TenantId))
        {
            var tenant = operations.ForTenant(organisation.Key);
            var head = await tenant.LoadAsync<FeedHead>(FeedHead.Key, cancellationToken) ?? new FeedHead(FeedHead.Key, 0);
            var position = head.Position;
            foreach (var (e, change) in organisation.OrderBy(c => c.Event.Sequence))
            {
                position++;
                tenant.Store(new FeedEntry(
                    position, e.Id, change!.Type, change.Resource, change.Subject, e.StreamId, e.Version, (e.Data as IOutcomeEvent)?.OutcomeId, e.Timestamp));
            }

            tenant.Store(head with { Position = position });
        }

        return NullChangeListener.Instance;
    }
}

public static class FeedStore
{
    public static void AddFeed(this StoreOptions marten)
    {
        marten.Schema.For<FeedHead>();
        marten.Schema.For<FeedEntry>().Duplicate(e => e.OutcomeId);
        marten.Events.Subscribe(new FeedSubscription());
    }
}
