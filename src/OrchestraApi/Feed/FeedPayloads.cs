using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using OrchestraApi.Baselines;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Segments;
using OrchestraApi.Status;
using OrchestraApi.Tasks;
using OrchestraApi.Triggers;
using OrchestraApi.Webhooks;

namespace OrchestraApi.Feed;

/// <summary>
/// Makes each feed entry's public payload (<see cref="EventData{T}"/>): the resource as the API answers it at the event's
/// version, and what changed. A stream's state is folded by the stream's own fold (<see cref="IFold{TSelf}"/>) and kept
/// between pages, so in steady state an event costs one fold; a stream it has not seen, or seen at another version
/// (after a restart, a move of the daemon, a rolled-back page), is read once up to the version before.
/// </summary>
public sealed class FeedPayloads
{
    private const int MaxStreams = 20_000;

    /// <summary>The API's own JSON: a payload reads exactly like the resource's GET.</summary>
    public static readonly JsonSerializerOptions Json = CreateJson();

    private static readonly ConcurrentDictionary<Type, Func<object, string?>> Authors = new();
    private static readonly HashSet<string> Unchanging = ["version", "updatedAt"];

    private readonly Dictionary<(string Tenant, Guid Stream), (long Version, object State)> _states = [];

    /// <summary>
    /// An event's payload and who may read it (<see cref="FeedEntry.Disciplines"/>); null for an internal event (it still
    /// moves its stream's state).
    /// </summary>
    public async Task<(JsonElement Data, IReadOnlyList<string> Audience)?> OfAsync(IDocumentOperations tenant, IEvent e, Func<Guid, Task<Schedule>> scheduleOf, CancellationToken ct)
    {
        return e.Data switch
        {
            // The organisation's settings: admins' and CMOs' to read.
            IEventOf<WebhookEndpoint> => await ReadByAsync<WebhookEndpoint, WebhookEndpointDetails>(tenant, e, (w, v) => WebhookEndpointDetails.Of(w, v), _ => [FeedEntry.AdminOnly], ct),
            // Triggers: admins', CMOs' and conductors'.
            IEventOf<Trigger> => await ReadByAsync<Trigger, TriggerDetails>(tenant, e, TriggerDetails.Of, _ => [FeedEntry.Conductors], ct),
            // A task: its assignee's discipline, or (without one) admins, CMOs and conductors.
            IEventOf<TriggerTask> => await ReadByAsync<TriggerTask, TaskDetails>(tenant, e, TaskDetails.Of, t => t.Assignee.Discipline is { } d ? [d.ToString()] : [FeedEntry.Conductors], ct),
            _ => await PayloadAsync(tenant, e, scheduleOf, ct) is { } payload ? (payload.Item1, [.. payload.Item2.Select(d => d.ToString())]) : null,
        };
    }

    /// <summary>The payload of a resource whose readers are named by <paramref name="audience"/> rather than by its disciplines.</summary>
    private async Task<(JsonElement, IReadOnlyList<string>)> ReadByAsync<TState, TDetails>(
        IDocumentOperations tenant, IEvent e, Func<TState, long, TDetails> details, Func<TState, IReadOnlyList<string>> audience, CancellationToken ct)
        where TState : class
        where TDetails : class
    {
        var (was, now) = await AdvanceAsync(tenant, e, ct);
        var state = (TState)now;
        var made = Payload(was is TState before ? details(before, e.Version - 1) : null, details(state, e.Version), AuthorOf(e.Data) ?? string.Empty, []);
        return (made.Item1, audience(state));
    }

    private async Task<(JsonElement, IReadOnlyList<Discipline>)?> PayloadAsync(IDocumentOperations tenant, IEvent e, Func<Guid, Task<Schedule>> scheduleOf, CancellationToken ct)
    {
        if (e.Data is ResultsOpened or ResultsRecorded or KpiObserved or BaselineSaved)
        {
            // Facts: the event is the whole resource, and their streams' states are never needed.
            return Fact(e.Data);
        }

        var (before, after) = await AdvanceAsync(tenant, e, ct);
        var by = AuthorOf(e.Data) ?? string.Empty;
        return e.Data switch
        {
            _ when PublicEvents.Internal.Contains(e.EventType) => null,
            KpiAdded or KpiRevised => Payload(((Outcome?)before)?.Kpis.FirstOrDefault(k => k.Key == KeyOf(e.Data)), ((Outcome)after).Kpis.First(k => k.Key == KeyOf(e.Data)), by, []),
            IEventOf<Outcome> => Payload(before is Outcome o ? OutcomeDetails.From(o, e.Version - 1) : null, OutcomeDetails.From((Outcome)after, e.Version), by, []),
            IEventOf<Plan> => Payload(before is Plan p ? PlanSummary.Of(p, e.Version - 1) : null, PlanSummary.Of((Plan)after, e.Version), by, [((Plan)after).Discipline]),
            IEventOf<Activity> => Payload(before is Activity a ? ActivityDetails.From(a, e.Version - 1) : null, ActivityDetails.From((Activity)after, e.Version), by, [((Activity)after).Discipline]),
            IEventOf<TriggerFiring> => Payload(before is TriggerFiring f ? TriggerFiringDetails.Of(f) : null, TriggerFiringDetails.Of((TriggerFiring)after), by, ((TriggerFiring)after).Disciplines),
            IEventOf<Segment> => Payload(before is Segment s ? SegmentDetails.Of(s, e.Version - 1) : null, SegmentDetails.Of((Segment)after, e.Version), by, []),
            IEventOf<StatusPolicy> => Payload(before is StatusPolicy p ? StatusPolicyDetails.Of(p) : null, StatusPolicyDetails.Of((StatusPolicy)after), by, []),
            IConnectionEvent c => await ConnectionAsync((Connections?)before, (Connections)after, c, by, scheduleOf),
            _ => throw new InvalidOperationException($"{e.EventType.Name} has no public payload: add it to FeedPayloads."),
        };
    }

    private static (JsonElement, IReadOnlyList<Discipline>)? Fact(object e) => e switch
    {
        ResultsRecorded x => Payload<ResultsBatch>(null, Batch(x), x.By, [.. x.Rows.Select(r => r.Discipline).Distinct().Order()]),
        KpiObserved x => Payload<KpiObservation>(null, new(x.ObservationId, x.OutcomeId, x.Key, x.Value, x.ObservedAt, x.ActivityId, x.By, x.At), x.By, []),
        BaselineSaved x => Payload<BaselineDetails>(null, new(x.BaselineId, x.OutcomeId, x.Name, x.Note, x.TakenAt, x.Rag, x.By), x.By, []),
        _ => null,
    };

    private static ResultsBatch Batch(ResultsRecorded x)
    {
        var totals = x.Rows.Aggregate(Totals.Zero, (sum, row) => sum.Add(row, 1));
        return new ResultsBatch(
            x.BatchId, x.OutcomeId, x.Rows.Count, x.Rows.Count(r => r.Corrects is not null), x.Superseded.Count, [.. x.Rows.Select(r => r.ActivityId).Distinct()],
            [.. x.Rows.Select(r => r.Discipline).Distinct().Order()], totals.Reached, totals.Impressions, totals.Responses, totals.Conversions,
            new Money(totals.Revenue, x.Currency), new Money(totals.Cost, x.Currency), x.By, x.At);
    }

    /// <summary>
    /// A connection as its GET answers it: its state and conflict derive from the activities it links, read as they are
    /// when the entry is numbered (normally within a second of the change).
    /// </summary>
    private static async Task<(JsonElement, IReadOnlyList<Discipline>)> ConnectionAsync(Connections? before, Connections after, IConnectionEvent e, string by, Func<Guid, Task<Schedule>> scheduleOf)
    {
        var now = after.All[e.ConnectionId];
        var schedule = (await scheduleOf(now.OutcomeId)).With(now);
        var previous = before?.All.GetValueOrDefault(e.ConnectionId) is { } was ? ConnectionDetails.Of(schedule.With(was), was) : null;
        return Payload(previous, ConnectionDetails.Of(schedule, now), by, [.. new[] { now.From.Discipline, now.To.Discipline }.Distinct().Order()]);
    }

    private static (JsonElement, IReadOnlyList<Discipline>) Payload<T>(T? before, T after, string by, IReadOnlyList<Discipline> disciplines)
        where T : class
    {
        var now = JsonSerializer.SerializeToNode(after, Json)!.AsObject();
        var data = new JsonObject { ["object"] = now, ["previous"] = before is null ? null : Changes(JsonSerializer.SerializeToNode(before, Json)!.AsObject(), now), ["by"] = by };
        return (JsonSerializer.SerializeToElement(data, Json), disciplines);
    }

    /// <summary>Each top-level field that differs, with its value before.</summary>
    public static JsonObject Changes(JsonObject before, JsonObject after)
    {
        var changed = new JsonObject();
        foreach (var (name, value) in before)
        {
            if (!Unchanging.Contains(name) && !JsonNode.DeepEquals(value, after[name]))
            {
                changed[name] = value?.DeepClone();
            }
        }

        return changed;
    }

    private async Task<(object? Before, object After)> AdvanceAsync(IDocumentOperations tenant, IEvent e, CancellationToken ct)
    {
        var key = (tenant.TenantId, e.StreamId);
        object? before = null;
        if (e.Version > 1)
        {
            before = _states.TryGetValue(key, out var known) && known.Version == e.Version - 1
                ? known.State
                : (await tenant.Events.FetchStreamAsync(e.StreamId, e.Version - 1, token: ct)).Aggregate((object?)null, (state, x) => Next(state, x.Data));
        }

        var after = Next(before, e.Data);
        if (_states.Count >= MaxStreams)
        {
            _states.Clear();
        }

        _states[key] = (e.Version, after);
        return (before, after);
    }

    /// <summary>A stream's next state: a connection graph's is its connections (its snapshot keeps none), every other stream's its own fold.</summary>
    private static object Next(object? state, object e) => e switch
    {
        ConnectionGraphOpened => new Connections(ImmutableDictionary<Guid, Connection>.Empty),
        ConnectionDefined d => new Connections(((Connections)state!).All.SetItem(d.ConnectionId, Connection.Start(d))),
        IConnectionEvent c => new Connections(((Connections)state!).All.SetItem(c.ConnectionId, ((Connections)state!).All[c.ConnectionId].Evolve(c))),
        _ => StreamStates.Next(state, e),
    };

    private static string KeyOf(object e) => e switch
    {
        KpiAdded x => x.Kpi.Key,
        KpiRevised x => x.Kpi.Key,
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    /// <summary>Every public event says who made it (its <c>By</c>).</summary>
    private static string? AuthorOf(object e) => Authors.GetOrAdd(e.GetType(), type =>
        type.GetProperty("By") is { PropertyType: var t } by && t == typeof(string) ? x => (string?)by.GetValue(x) : _ => null)(e);

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformSetup.Configure(json);
        json.MakeReadOnly(populateMissingResolver: true);
        return json;
    }

    /// <summary>A connection graph's connections at a version.</summary>
    private sealed record Connections(ImmutableDictionary<Guid, Connection> All);
}
