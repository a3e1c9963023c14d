using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>The live status stream of one outcome, as Server-Sent Events (see <see cref="StatusFeed"/>).</summary>
public static class WatchOutcomeStatus
{
    public const string LastEventIdHeader = "Last-Event-ID";

    public static async Task<IResult> Handle(Guid outcomeId, string? lastEventId, IQuerySession session, StatusFeed feed, HttpContext http)
    {
        var ct = http.RequestAborted;
        var since = MomentOf(lastEventId, LastEventIdHeader);
        // Answer 404 (another organisation's outcome, or none) before the stream opens.
        if (outcomeId == Guid.Empty || !await session.Query<Outcome>().AnyAsync(o => o.Id == outcomeId, ct))
        {
            throw Outcome.NotFound(outcomeId);
        }

        var subscription = feed.Subscribe(session.TenantId, outcomeId, since);
        // Counted against the organisation's streams until the request ends, however it ends.
        http.Response.RegisterForDispose(subscription);
        return TypedResults.ServerSentEvents(Events(subscription, ct));
    }

    /// <summary>The moment an event id stands for (null for none; 400 naming <paramref name="field"/> for one this API did not send).</summary>
    public static DateTimeOffset? MomentOf(string? lastEventId, string field) =>
        string.IsNullOrEmpty(lastEventId) ? null
            : StatusEvent.MomentOf(lastEventId) ?? throw new InvalidInputException(field, "is not an event id this API sent.");

    private static async IAsyncEnumerable<SseItem<StatusEvent>> Events(StatusFeed.Subscription subscription, [EnumeratorCancellation] CancellationToken ct)
    {
        using (subscription)
        {
            await foreach (var e in subscription.Events.Reader.ReadAllAsync(ct))
            {
                yield return new SseItem<StatusEvent>(e, "status") { EventId = e.Id };
            }
        }
    }
}
