using JasperFx.Events;
using Marten;
using Marten.Events;
using Npgsql;
using OrchestraApi.Connections;
using OrchestraApi.Feed;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Segments;
using OrchestraApi.Tasks;
using OrchestraApi.Triggers;
using OrchestraApi.Webhooks;

namespace OrchestraApi.Maturity;

/// <summary>A batch of results: its outcome, when it was recorded, and the last day its rows measure.</summary>
public sealed record ResultBatchFact(Guid OutcomeId, DateTimeOffset RecordedAt, DateOnly LatestTo);

/// <summary>A webhook delivery of a feed event: when it was queued and, once delivered, when.</summary>
public sealed record DeliveryFact(DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt);

/// <summary>The dated facts the criteria read besides the organisation's states, each asked as of a moment.</summary>
public sealed class MaturityFacts(
    IReadOnlyDictionary<Guid, DateTimeOffset> firstResults, IReadOnlyList<ResultBatchFact> batches, IReadOnlyDictionary<(Guid Outcome, string Key), List<DateTimeOffset>> observations,
    IReadOnlyDictionary<Guid, DateTimeOffset> causes, IReadOnlyList<DeliveryFact> deliveries, IReadOnlyDictionary<DateOnly, DateTimeOffset> feedReads)
{
    public IReadOnlyList<DeliveryFact> Deliveries => deliveries;

    /// <summary>When an activity's first result was recorded, if by <paramref name="at"/>.</summary>
    public DateTimeOffset? FirstResultAt(Guid activityId, DateTimeOffset at) => firstResults.TryGetValue(activityId, out var first) && first <= at ? first : null;

    /// <summary>The batches recorded after <paramref name="from"/> and by <paramref name="to"/>.</summary>
    public IEnumerable<ResultBatchFact> BatchesIn(DateTimeOffset from, DateTimeOffset to) => batches.Where(b => b.RecordedAt > from && b.RecordedAt <= to);

    public bool ObservedIn(Guid outcomeId, string key, DateTimeOffset from, DateTimeOffset to) =>
        observations.TryGetValue((outcomeId, key), out var times) && times.Any(t => t > from && t <= to);

    /// <summary>When the change that made a firing's condition true was committed (null: time alone did, or it left the feed's retention).</summary>
    public DateTimeOffset? CauseAt(Guid firingId) => causes.TryGetValue(firingId, out var at) ? at : null;

    /// <summary>Whether the feed was read on the day of <paramref name="at"/> (by then) or the day before (UTC).</summary>
    public bool FeedReadAround(DateTimeOffset at)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        return (feedReads.TryGetValue(day, out var first) && first <= at) || feedReads.ContainsKey(day.AddDays(-1));
    }
}

/// <summary>
/// The organisation's history as the criteria read it (decision 30): one ordered read of its planning, connection,
/// trigger, firing, task and segment events up to the moment, folded by each stream's own fold, with the criteria
/// assessed as the fold passes each moment asked for (the trend's month starts, then the moment itself); results,
/// observations, deliveries and feed reads come as dated facts from a few aggregate queries.
/// </summary>
public sealed class MaturityHistory(IQuerySession session, NpgsqlDataSource database)
{
    private static readonly Type[] Folded =
    [
        .. Fold.EventsOf<Outcome>(), .. Fold.EventsOf<Plan>(), .. Fold.EventsOf<Activity>(), .. Fold.EventsOf<ConnectionGraph>(), .. Fold.EventsOf<Trigger>(),
        .. Fold.EventsOf<TriggerFiring>(), .. Fold.EventsOf<TriggerTask>(), .. Fold.EventsOf<Segment>(),
    ];

    /// <summary>The evidence at each of <paramref name="moments"/> (ascending), assessed by <paramref name="assess"/> as the fold passes it.</summary>
    public async Task<List<T>> AssessAsync<T>(IReadOnlyList<DateTimeOffset> moments, Func<MaturityEvidence, T> assess, CancellationToken ct)
    {
        var last = moments[^1];
        var causes = new Dictionary<Guid, DateTimeOffset>();
        var facts = await FactsAsync(moments[0].AddDays(-90), last, causes, ct);
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(Folded) && e.Timestamp <= last)
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        var states = new StreamStates();
        var connections = new Dictionary<Guid, ConnectionRecord>();
        var segments = new Dictionary<Guid, DateTimeOffset>();
        var assessed = new List<T>(moments.Count);
        var next = 0;
        foreach (var moment in moments)
        {
            for (; next < events.Count && events[next].Timestamp <= moment; next++)
            {
                var e = events[next];
                if (e.Data is IConnectionEvent c)
                {
                    var was = connections.GetValueOrDefault(c.ConnectionId);
                    var connection = Fold.Next(was?.Connection, e.Data);
                    connections[c.ConnectionId] = new ConnectionRecord(
                        connection, was?.AgreedAt ?? (connection.State == ConnectionState.Agreed ? e.Timestamp : null));
                }
                else
                {
                    states.Add(e);
                    if (e.Data is IEventOf<Segment>)
                    {
                        segments[e.StreamId] = e.Timestamp;
                    }
                }
            }

            var firings = states.All<TriggerFiring>().ToList();
            await AddCausesAsync(causes, firings, ct);
            assessed.Add(assess(new MaturityEvidence(
                moment, [.. states.All<Outcome>()], [.. states.All<Plan>()], [.. states.All<Activity>()], connections.Values, [.. states.All<Trigger>()],
                firings, [.. states.All<TriggerTask>()], segments, facts)));
        }

        return assessed;
    }

    /// <summary>When each firing's last cause was committed, read once from its feed entry (firings time alone caused have none).</summary>
    private async Task AddCausesAsync(Dictionary<Guid, DateTimeOffset> causes, List<TriggerFiring> firings, CancellationToken ct)
    {
        var missing = firings.Where(f => f.Positions.Count > 0 && !causes.ContainsKey(f.Id)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var entries = (await session.LoadManyAsync<FeedEntry>(ct, missing.Select(f => f.Positions[^1]).Distinct().ToArray())).ToDictionary(e => e.Id, e => e.Time);
        foreach (var firing in missing)
        {
            if (entries.TryGetValue(firing.Positions[^1], out var time))
            {
                causes[firing.Id] = time;
            }
        }
    }

    /// <summary>The dated facts between <paramref name="from"/> and <paramref name="to"/>; first results from the start (an activity's first is its first ever).</summary>
    private async Task<MaturityFacts> FactsAsync(DateTimeOffset from, DateTimeOffset to, IReadOnlyDictionary<Guid, DateTimeOffset> causes, CancellationToken ct)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var documents = session.DocumentStore.Options.DatabaseSchemaName;
        var tenant = session.TenantId;
        var recorded = typeof(ResultsRecorded).GetEventTypeName();
        var observed = typeof(KpiObserved).GetEventTypeName();

        var firstResults = new Dictionary<Guid, DateTimeOffset>();
        await ReadAsync(
            $"select (r ->> 'activityId')::uuid, min((e.data ->> 'at')::timestamptz) from {schema}.mt_events e cross join lateral jsonb_array_elements(e.data -> 'rows') r where e.tenant_id = $1 and e.type = $2 and e.timestamp <= $3 group by 1",
            [tenant, recorded, to], r => firstResults[r.GetGuid(0)] = r.GetFieldValue<DateTimeOffset>(1), ct);
        var batches = new List<ResultBatchFact>();
        await ReadAsync(
            $"select (e.data ->> 'outcomeId')::uuid, (e.data ->> 'at')::timestamptz, (select max((r ->> 'to')::date) from jsonb_array_elements(e.data -> 'rows') r) from {schema}.mt_events e where e.tenant_id = $1 and e.type = $2 and e.timestamp <= $3 and e.timestamp > $4 order by e.seq_id",
            [tenant, recorded, to, from], r => batches.Add(new ResultBatchFact(r.GetGuid(0), r.GetFieldValue<DateTimeOffset>(1), r.IsDBNull(2) ? DateOnly.FromDateTime(r.GetFieldValue<DateTimeOffset>(1).UtcDateTime) : r.GetFieldValue<DateOnly>(2))), ct);
        var observations = new Dictionary<(Guid, string), List<DateTimeOffset>>();
        await ReadAsync(
            $"select (e.data ->> 'outcomeId')::uuid, e.data ->> 'key', e.timestamp from {schema}.mt_events e where e.tenant_id = $1 and e.type = $2 and e.timestamp <= $3 and e.timestamp > $4",
            [tenant, observed, to, from], r => (observations.TryGetValue((r.GetGuid(0), r.GetString(1)), out var list) ? list : observations[(r.GetGuid(0), r.GetString(1))] = []).Add(r.GetFieldValue<DateTimeOffset>(2)), ct);
        var deliveries = new List<DeliveryFact>();
        await ReadAsync(
            $"""
            select (d.data ->> 'createdAt')::timestamptz,
                   case when d.data ->> 'state' = 'Delivered' then (select max((a ->> 'at')::timestamptz) from jsonb_array_elements(d.data -> 'attempts') a where (a ->> 'status')::int between 200 and 299) end
            from {documents}.mt_doc_webhookdelivery d where d.tenant_id = $1 and d.data ->> 'trigger' = $2 and (d.data ->> 'createdAt')::timestamptz > $3 and (d.data ->> 'createdAt')::timestamptz <= $4
            """,
            [tenant, nameof(WebhookDeliveryTrigger.Event), from, to], r => deliveries.Add(new DeliveryFact(r.GetFieldValue<DateTimeOffset>(0), r.IsDBNull(1) ? null : r.GetFieldValue<DateTimeOffset>(1))), ct);
        var reads = (await session.Query<FeedReadDay>().Where(d => d.FirstReadAt > from.AddDays(-1)).ToListAsync(ct)).ToDictionary(d => d.Day, d => d.FirstReadAt);
        return new MaturityFacts(firstResults, batches, observations, causes, deliveries, reads);
    }

    private async Task ReadAsync(string sql, object[] parameters, Action<NpgsqlDataReader> row, CancellationToken ct)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            row(reader);
        }
    }
}
