using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace OrchestraApi.Sdk;

public partial class CloudEvent
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>Each kind of resource of the event catalogue and the class of its <c>data</c>.</summary>
    private static readonly Dictionary<string, Type> Payloads = new(StringComparer.Ordinal)
    {
        ["outcome"] = typeof(EventDataOfOutcomeDetails),
        ["kpi"] = typeof(EventDataOfKpi),
        ["kpi_observation"] = typeof(EventDataOfKpiObservation),
        ["plan"] = typeof(EventDataOfPlanSummary),
        ["activity"] = typeof(EventDataOfActivityDetails),
        ["connection"] = typeof(EventDataOfConnectionDetails),
        ["results"] = typeof(EventDataOfResultsBatch),
        ["baseline"] = typeof(EventDataOfBaselineDetails),
        ["segment"] = typeof(EventDataOfSegmentDetails),
        ["webhook_endpoint"] = typeof(EventDataOfWebhookEndpointDetails),
        ["trigger"] = typeof(EventDataOfTriggerDetails),
        ["task"] = typeof(EventDataOfTaskDetails),
    };

    /// <summary>The types whose <c>data</c> is not their resource's: a trigger's firings.</summary>
    private static readonly Dictionary<string, Type> PayloadsByType = new(StringComparer.Ordinal)
    {
        ["orchestra.trigger.fired.v1"] = typeof(EventDataOfTriggerFiringDetails),
        ["orchestra.trigger.cleared.v1"] = typeof(EventDataOfTriggerFiringDetails),
    };

    /// <summary>The event's position in the organisation's feed (<c>sequence</c> as a number): read on after it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long Position => long.Parse(Sequence, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The kind of resource the event changed, from its type (<c>orchestra.{resource}.{what}.v1</c>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Resource => Type.Split('.') is [_, var resource, ..] ? resource : "";

    /// <summary>
    /// The typed <c>data</c>: <see cref="EventDataOfActivityDetails"/> for an <c>orchestra.activity.*</c> event, and so on
    /// for every kind of resource of the catalogue (<c>GET /event-types</c>), <see cref="EventDataOfTriggerFiringDetails"/> for
    /// <c>orchestra.trigger.fired.v1</c> and <c>cleared.v1</c>; null for a kind this SDK does not know yet
    /// (new ones may appear within v1: skip them).
    /// <code>if (e.Payload() is EventDataOfActivityDetails { Object: var activity }) { … }</code>
    /// </summary>
    public object? Payload() => PayloadsByType.TryGetValue(Type, out var type) || Payloads.TryGetValue(Resource, out type) ? DataAs(type) : null;

    /// <summary>
    /// The events of a webhook's body, in position order: the one CloudEvent an endpoint receives per request, or each
    /// event of a batch (a JSON array, <c>application/cloudevents-batch+json</c>) on an endpoint registered with
    /// <c>maxBatch</c> above 1. Verify the raw body's signature first (<see cref="WebhookSignature"/>), then dedupe on
    /// each event's <see cref="Id"/>.
    /// <code>foreach (var e in CloudEvent.FromWebhook(body)) { if (seen.Add(e.Id)) { … } }</code>
    /// </summary>
    public static IReadOnlyList<CloudEvent> FromWebhook(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.ValueKind == JsonValueKind.Array
            ? [.. json.RootElement.EnumerateArray().Select(e => e.Deserialize<CloudEvent>(PayloadJson)!)]
            : [json.RootElement.Deserialize<CloudEvent>(PayloadJson)!];
    }

    /// <summary>The <c>data</c> read as <typeparamref name="T"/>, e.g. <c>DataAs&lt;EventDataOfPlanSummary&gt;()</c>.</summary>
    public T DataAs<T>() => (T)DataAs(typeof(T));

    private object DataAs(Type type) => Data switch
    {
        JsonElement json => json.Deserialize(type, PayloadJson)!,
        var other when type.IsInstanceOfType(other) => other,
        var other => JsonSerializer.SerializeToElement(other, PayloadJson).Deserialize(type, PayloadJson)!,
    };
}

public partial interface IEventsClient
{
    /// <summary>
    /// Every event after <paramref name="after"/> (0: from the oldest kept) up to the head as it is when the last page is
    /// read, following <c>next</c> page by page (500 events a request). Save the last event's
    /// <see cref="CloudEvent.Position"/> and pass it next time to read on from there.
    /// </summary>
    IAsyncEnumerable<CloudEvent> ListAllEventsAsync(long after = 0, IEnumerable<string>? types = null, string? resource = null, Guid? outcomeId = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every event after <paramref name="after"/>, then each new one as it is numbered, live (Server-Sent Events). When
    /// the stream drops or cannot be opened (the API restarts or is unavailable, the network fails) it keeps trying —
    /// after <paramref name="reconnectDelay"/> (1 s by default), doubling up to 30 s — and resumes after the last event
    /// it returned, so nothing is missed or repeated. Ends only when <paramref name="cancellationToken"/> is cancelled;
    /// problems that retrying cannot mend (400, 401, 403, 410) are thrown as for every other call.
    /// </summary>
    IAsyncEnumerable<CloudEvent> WatchEventsAsync(long after = 0, IEnumerable<string>? types = null, string? resource = null, Guid? outcomeId = null, TimeSpan? reconnectDelay = null, CancellationToken cancellationToken = default);
}

public partial class EventsClient
{
    private const int FeedPageSize = 500;

    public async IAsyncEnumerable<CloudEvent> ListAllEventsAsync(
        long after = 0, IEnumerable<string>? types = null, string? resource = null, Guid? outcomeId = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = Types(types);
        while (true)
        {
            var page = await ListEventsAsync(after, FeedPageSize, filter, resource, outcomeId, wait: null, ifNoneMatch: null, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            if (page.Next >= page.Head || page.Next <= after)
            {
                yield break;
            }

            after = page.Next;
        }
    }

    public async IAsyncEnumerable<CloudEvent> WatchEventsAsync(
        long after = 0, IEnumerable<string>? types = null, string? resource = null, Guid? outcomeId = null, TimeSpan? reconnectDelay = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = Types(types);
        var last = after;
        var events = LiveStreams.FollowAsync(
            (lastEventId, ct) => OpenEventStreamAsync(after: null, limit: null, filter, resource, outcomeId, lastEventId, ct),
            (_, data) => JsonSerializer.Deserialize<CloudEvent>(data, JsonSerializerSettings)!,
            after.ToString(CultureInfo.InvariantCulture), reconnectDelay, cancellationToken);
        await foreach (var e in events.ConfigureAwait(false))
        {
            // Positions only grow: anything at or before the last one returned is a repeat after a reconnection.
            if (e.Data.Position > last)
            {
                last = e.Data.Position;
                yield return e.Data;
            }
        }
    }

    private static string? Types(IEnumerable<string>? types) => types is null ? null : string.Join(',', types);
}
