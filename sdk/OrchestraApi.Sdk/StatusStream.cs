using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace OrchestraApi.Sdk;

public partial interface IStatusClient
{
    /// <summary>
    /// Follows an outcome's status live: first a <c>Snapshot</c> (or, with <paramref name="lastEventId"/>, a
    /// <c>CatchUp</c> with what changed since that event), then a <c>Change</c> whenever something changes. When the
    /// stream drops or cannot be opened (the API restarts or is unavailable, the network fails) it keeps trying —
    /// after <paramref name="reconnectDelay"/> (1 s by default), doubling up to 30 s while the API stays away — and
    /// resumes with the last event's id, so the first event after an outage is a <c>CatchUp</c> and nothing is missed.
    /// Ends only when <paramref name="cancellationToken"/> is cancelled; problems that retrying cannot mend (401, 403,
    /// 404) are thrown as for every other call.
    /// </summary>
    IAsyncEnumerable<StatusEvent> WatchOutcomeStatusAsync(Guid outcomeId, string? lastEventId = null, TimeSpan? reconnectDelay = null, CancellationToken cancellationToken = default);
}

public partial class StatusClient
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    public async IAsyncEnumerable<StatusEvent> WatchOutcomeStatusAsync(
        Guid outcomeId, string? lastEventId = null, TimeSpan? reconnectDelay = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var last = lastEventId;
        var first = reconnectDelay ?? TimeSpan.FromSeconds(1);
        var wait = first;
        while (true)
        {
            var response = await OpenAsync(outcomeId, last, cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                using (response)
                {
                    var events = SseParser.Create(response.Stream, (_, data) => JsonSerializer.Deserialize<StatusEvent>(data, JsonSerializerSettings)!)
                        .EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                    await using (events.ConfigureAwait(false))
                    {
                        while (await NextAsync(events, cancellationToken).ConfigureAwait(false))
                        {
                            last = events.Current.EventId ?? last;
                            wait = first;
                            yield return events.Current.Data;
                        }
                    }
                }
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, Math.Max(MaxReconnectDelay.Ticks, first.Ticks)));
        }
    }

    /// <summary>The stream, or null while the API cannot be reached or is unavailable (the caller waits and tries again).</summary>
    private async Task<FileResponse?> OpenAsync(Guid outcomeId, string? last, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenOutcomeStatusStreamAsync(outcomeId, last, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException or RateLimitedProblemException
            || e is ApiException { StatusCode: 502 or 503 or 504 } && !cancellationToken.IsCancellationRequested)
        {
            return null;
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
