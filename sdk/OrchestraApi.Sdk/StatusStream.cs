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
    public async IAsyncEnumerable<StatusEvent> WatchOutcomeStatusAsync(
        Guid outcomeId, string? lastEventId = null, TimeSpan? reconnectDelay = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var events = LiveStreams.FollowAsync(
            (last, ct) => OpenOutcomeStatusStreamAsync(outcomeId, last, ct), (_, data) => JsonSerializer.Deserialize<StatusEvent>(data, JsonSerializerSettings)!,
            lastEventId, reconnectDelay, cancellationToken);
        await foreach (var e in events.ConfigureAwait(false))
        {
            yield return e.Data;
        }
    }
}
