using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace OrchestraApi.Sdk;

/// <summary>
/// A Server-Sent Events stream of the API that survives its drops: when it ends, breaks or cannot be opened (the API
/// restarts or is unavailable, the network fails) it is opened again after a delay (doubling up to 30 s while the API
/// stays away) with the last event's id, so the server resumes after it. Problems that retrying cannot mend are thrown.
/// </summary>
internal static class LiveStreams
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    public static async IAsyncEnumerable<SseItem<T>> FollowAsync<T>(
        Func<string?, CancellationToken, Task<FileResponse>> open, SseItemParser<T> parse, string? lastEventId, TimeSpan? reconnectDelay,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = lastEventId;
        var first = reconnectDelay ?? TimeSpan.FromSeconds(1);
        var wait = first;
        while (true)
        {
            var response = await OpenAsync(open, last, cancellationToken).ConfigureAwait(false);
            if (response is not null)
            {
                using (response)
                {
                    var events = SseParser.Create(response.Stream, parse).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                    await using (events.ConfigureAwait(false))
                    {
                        while (await NextAsync(events, cancellationToken).ConfigureAwait(false))
                        {
                            last = events.Current.EventId ?? last;
                            wait = first;
                            yield return events.Current;
                        }
                    }
                }
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, Math.Max(MaxReconnectDelay.Ticks, first.Ticks)));
        }
    }

    /// <summary>The stream, or null while the API cannot be reached or is unavailable (the caller waits and tries again).</summary>
    private static async Task<FileResponse?> OpenAsync(Func<string?, CancellationToken, Task<FileResponse>> open, string? last, CancellationToken cancellationToken)
    {
        try
        {
            return await open(last, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or IOException or RateLimitedProblemException
            || e is ApiException { StatusCode: 502 or 503 or 504 } && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The next event, or false when the stream ended or broke (the caller reconnects); cancellation still throws.</summary>
    private static async Task<bool> NextAsync<T>(IAsyncEnumerator<SseItem<T>> events, CancellationToken cancellationToken)
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
