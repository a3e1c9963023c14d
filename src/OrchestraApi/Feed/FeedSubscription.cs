using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using Microsoft.Extensions.Caching.Memory;
using OrchestraApi.Connections;
using OrchestraApi.Status;
using OrchestraApi.Triggers;
using OrchestraApi.Webhooks;

namespace OrchestraApi.Feed;

/// <summary>
/// Numbers every public change per organisation (<see cref="PublicEvents"/>), in the order the daemon hands events
/// over (commit order below the high-water mark), with its public payload (<see cref="FeedPayloads"/>). The entries,
/// each organisation's head and a NOTIFY that wakes the feed's long polls and streams on every node are written through
/// the page's operations, which Marten commits in the same transaction as the subscription's progress: a page is
/// numbered once, whichever node leads, however often the leader dies. Each entry is queued, in the same transaction,
/// for every enabled webhook endpoint that wants it (<see cref="WebhookFanOut"/>).
/// </summary>
public sealed class FeedSubscription : SubscriptionBase
{
    public const string SubscriptionName = "Feed";

    private readonly FeedPayloads _payloads = new();
    private readonly ScheduleCache _schedules = new(new MemoryCache(new MemoryCacheOptions()));
    private readonly TriggerMarks _marks = new();

    public FeedSubscription()
    {
        Name = SubscriptionName;
        Options.BatchSize = 500;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        foreach (var organisation in page.Events.GroupBy(e => e.TenantId))
        {
            var tenant = operations.ForTenant(organisation.Key);
            var head = await tenant.LoadAsync<FeedHead>(FeedHead.Key, cancellationToken) ?? new FeedHead(FeedHead.Key, 0);
            var position = head.Position;
            var numbered = new List<(FeedEntry, long)>();
            var schedules = new Dictionary<Guid, Schedule>();
            async Task<Schedule> ScheduleOf(Guid outcomeId) => schedules.TryGetValue(outcomeId, out var known) ? known
                : schedules[outcomeId] = await _schedules.LoadAsync(tenant, outcomeId, cancellationToken) ?? throw new InvalidOperationException($"Outcome {outcomeId} has a connection but no outcome.");

            foreach (var e in organisation.OrderBy(e => e.Sequence))
            {
                if (e.Data is JasperFx.Events.Tombstone)
                {
                    // Marten's filler for the sequence numbers of a transaction that failed after taking them: no change.
                    continue;
                }

                var change = PublicEvents.Of(e.Data);
                var payload = await _payloads.OfAsync(tenant, e, ScheduleOf, cancellationToken);
                if (change is null || payload is not { } made)
                {
                    continue;
                }

                position++;
                var entry = new FeedEntry(
                    position, e.Id, change.Type, change.Resource, change.Subject, e.StreamId, e.Version, (e.Data as IOutcomeEvent)?.OutcomeId, e.Timestamp, made.Data, made.Audience);
                tenant.Store(entry);
                numbered.Add((entry, e.Sequence));
            }

            await WebhookFanOut.QueueAsync(tenant, numbered, cancellationToken);
            await _marks.EnlistAsync(tenant, organisation, numbered, cancellationToken);

            if (position != head.Position)
            {
                tenant.Store(head with { Position = position });
                FeedSignals.Enlist(tenant, organisation.Key, position);
            }
        }

        return NullChangeListener.Instance;
    }

    /// <summary>True while this node's daemon runs the feed's subscription (always, in Solo mode): where webhooks are sent and triggers evaluated.</summary>
    public static bool RunsHere(IServiceProvider services) =>
        services.GetService<IProjectionCoordinator>() is { } coordinator
        && coordinator.DaemonForMainDatabase().CurrentAgents().Any(a => a.Name.Identity.StartsWith(SubscriptionName + ":", StringComparison.Ordinal));
}

public static class FeedStore
{
    public static void AddFeed(this StoreOptions marten)
    {
        marten.Schema.For<FeedHead>();
        marten.Schema.For<FeedEntry>().Duplicate(e => e.OutcomeId).Duplicate(e => e.Time);
        marten.Schema.For<FeedReadDay>();
        marten.Events.Subscribe(new FeedSubscription());
    }
}
