using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace OrchestraApi.Sdk;

public partial interface IStatusClient
{
    /// <summary>
    /// Follows an outcome's status live: first a <c>Snapshot</c> (or, with <paramref name="lastEventId"/>, a
    /// <c>CatchUp</c> with what changed since that event), then a <c>Change</c> whenever something changes. When the
    /// stream drops (the API restarts, the network fails) it reconnects after <paramref name="reconnectDelay"/> (1 s by
    /// default) with the last event's id, so nothing is missed. Ends only when <paramref name="cancellationToken"/> is
    /// cancelled; problems (404, 403) are thrown as for every other call.
    /// </summary>
    IAsyncEnumerable<StatusEvent> WatchOutcomeStatusAsync(Guid outcomeId, string? lastEventId = null, TimeSpan? reconnectDelay = null, CancellationToken cancellationToken = default);
}

public partial class StatusClient
{
    public async IAsyncEnumerable<StatusEvent> WatchOutcomeStatusAsync(
        Guid outcomeId, string? lastEventId = null, TimeSpan? reconnectDelay = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var last = lastEventId;
        while (true)
        {
            using (var response = await OpenOutcomeStatusStreamAsync(outcomeId, last, cancellationToken).ConfigureAwait(false))
            {
                var events = SseParser.Create(response.Stream, (_, data) => JsonSerializer.Deserialize<StatusEvent>(data, JsonSerializerSettings)!)
                    .EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                await using (events.ConfigureAwait(false))
                {
                    while (await NextAsync(events, cancellationToken).ConfigureAwait(false))
                    {
                        last = events.Current.EventId ?? last;
                        yield return events.Current.Data;
                    }
                }
            }

            await Task.Delay(reconnectDelay ?? TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The next event, or false when the stream ended or broke (the caller reconnects); cancellation still throws.</summary>
    private static async Task<bool> NextAsync(IAsyncEnumerator<SseItem<StatusEvent>> events, CancellationToken cancellationToken)
    {
        try
        {
            return await events.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
