using JasperFx.Events;
using Marten;
using OrchestraApi.Connections;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Segments;

namespace OrchestraApi.Status;

/// <summary>
/// What an outcome's status is computed from — the outcome, its schedule (plans, activities, connections), its results
/// and the segments its KPIs read — as committed now, or as it was at a past moment (folded from the events up to it).
/// </summary>
public sealed record StatusInputs(Outcome Outcome, Schedule Schedule, OutcomeResults? Results, IReadOnlyDictionary<Guid, Segment> Segments, DateTimeOffset At)
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Schedule, Computed> Reports = new();

    /// <summary>
    /// The status these inputs give. Computed once per state: the last report of a cached schedule is reused while the
    /// outcome, results and segments are at the same versions and time has not moved a rule (see <see cref="ChangesWithTimeAt"/>).
    /// </summary>
    public OutcomeStatusReport Report()
    {
        var state = (Outcome.Version, Results?.Version ?? 0, string.Join(',', Segments.Values.OrderBy(s => s.Id).Select(s => $"{s.Id}:{s.Version}")));
        if (Reports.TryGetValue(Schedule, out var kept) && kept.State == state && At >= kept.From && At < kept.Until)
        {
            return kept.Report;
        }

        var report = StatusRules.Report(Outcome, Schedule, Results, Segments, At);
        Reports.AddOrUpdate(Schedule, new Computed(state, At, ChangesWithTimeAt(), report));
        return report;
    }

    /// <summary>When the status may change with nothing committed (see <see cref="StatusRules.ChangesWithTimeAt"/>).</summary>
    public DateTimeOffset ChangesWithTimeAt() => StatusRules.ChangesWithTimeAt(Schedule, At);

    private sealed record Computed((long, long, string) State, DateTimeOffset From, DateTimeOffset Until, OutcomeStatusReport Report);

    /// <summary>Now: each stream's inline snapshot, read after the others' — so every committed change shows.</summary>
    public static async Task<StatusInputs> NowAsync(IQuerySession session, ScheduleCache schedules, Guid outcomeId, DateTimeOffset now, CancellationToken ct)
    {
        var schedule = await Schedule.LoadAsync(session, outcomeId, schedules, ct) ?? throw NotFound(outcomeId);
        var resultsId = OutcomeResults.IdOf(outcomeId);
        var batch = session.CreateBatchQuery();
        var outcomeTask = batch.Load<Outcome>(outcomeId);
        var resultsVersion = batch.Query<OutcomeResults>().Where(r => r.Id == resultsId).Select(r => r.Version).ToList();
        await batch.Execute(ct);
        var outcome = await outcomeTask ?? throw NotFound(outcomeId);
        // The results snapshot holds totals per activity: read in full only when its version moved.
        var results = (await resultsVersion).Count == 0 ? null : await schedules.SnapshotAsync<OutcomeResults>(session, resultsId, (await resultsVersion)[0], r => r.Version, ct);
        var segmentIds = SegmentsOf(outcome);
        var segments = segmentIds.Count == 0 ? new Dictionary<Guid, Segment>() : (await session.LoadManyAsync<Segment>(ct, segmentIds)).ToDictionary(s => s.Id);
        return new StatusInputs(outcome, schedule, results, segments, now);
    }

    /// <summary>
    /// As it was at <paramref name="at"/>. One query asks each of the outcome's streams for its version at that moment;
    /// a stream whose state in hand (today's snapshot) is at that very version is taken as it is, and only the streams
    /// that moved since are rebuilt — from their events up to the moment, read in one query and folded by the same
    /// functions the write path uses. Streams not yet begun at that moment are left out.
    /// </summary>
    /// <remarks>Called on the inputs now (<see cref="NowAsync"/>), which a caller comparing moments reads once.</remarks>
    /// <param name="field">The request field the moment came from, named in the 400 when it is before the outcome.</param>
    public async Task<StatusInputs> AsOfAsync(IQuerySession session, DateTimeOffset at, CancellationToken ct, string field = "asOf")
    {
        // Plans and activities are never deleted, so today's schedule names every stream the outcome ever had.
        var (current, outcomeId) = (this, Outcome.Id);
        var (graphId, resultsId) = (ConnectionGraph.IdOf(outcomeId), OutcomeResults.IdOf(outcomeId));
        var inHand = new Dictionary<Guid, long>
        {
            [outcomeId] = current.Outcome.Version,
            [resultsId] = current.Results?.Version ?? 0,
            // Every graph event is its opening or one connection's, so its version is 1 + the connections' versions.
            [graphId] = 1 + current.Schedule.Connections.Sum(c => c.Version),
        };
        foreach (var plan in current.Schedule.Plans)
        {
            inHand[plan.Id] = plan.Version;
        }

        foreach (var activity in current.Schedule.Activities)
        {
            inHand[activity.Id] = activity.Version;
        }

        var then = await VersionsAtAsync(session, [.. inHand.Keys], at, ct);
        if (then.GetValueOrDefault(outcomeId) == 0)
        {
            throw new InvalidInputException(field, "is before the outcome was defined.");
        }

        var moved = then.Where(v => v.Value != inHand[v.Key]).Select(v => v.Key).ToList();
        var events = moved.Count == 0 ? [] : await EventsAsync(session, moved, at, ct);
        var movedSet = moved.ToHashSet();

        var outcome = movedSet.Contains(outcomeId) ? null : current.Outcome;
        var results = then.ContainsKey(resultsId) && !movedSet.Contains(resultsId) ? current.Results : null;
        var plans = current.Schedule.Plans.Where(p => then.ContainsKey(p.Id) && !movedSet.Contains(p.Id)).ToDictionary(p => p.Id);
        var activities = current.Schedule.Activities.Where(a => then.ContainsKey(a.Id) && !movedSet.Contains(a.Id)).ToDictionary(a => a.Id);
        var connections = movedSet.Contains(graphId) ? [] : current.Schedule.Connections.ToDictionary(c => c.Id);
        foreach (var e in events)
        {
            if (e.StreamId == outcomeId)
            {
                outcome = Fold.Next(outcome, e.Data);
                outcome?.Version = e.Version;
            }
            else if (e.StreamId == graphId)
            {
                if (e.Data is ConnectionDefined d)
                {
                    connections[d.ConnectionId] = Connection.Create(outcomeId, d);
                }
                else if (e.Data is IConnectionEvent c && connections.TryGetValue(c.ConnectionId, out var connection))
                {
                    connections[c.ConnectionId] = connection.After(c);
                }
            }
            else if (e.StreamId == resultsId)
            {
                results = Fold.Next(results, e.Data);
                results?.Version = e.Version;
            }
            else if (e.Data is ActivityScheduled scheduled)
            {
                activities[e.StreamId] = Activity.Start(scheduled) with { Version = e.Version };
            }
            else if (activities.TryGetValue(e.StreamId, out var activity))
            {
                activities[e.StreamId] = activity.Evolve(e.Data) with { Version = e.Version };
            }
            else if (e.Data is PlanDrafted drafted)
            {
                plans[e.StreamId] = Plan.Start(drafted) with { Version = e.Version };
            }
            else if (plans.TryGetValue(e.StreamId, out var plan))
            {
                plans[e.StreamId] = plan.Evolve(e.Data) with { Version = e.Version };
            }
        }

        var segments = new Dictionary<Guid, Segment>();
        var segmentIds = SegmentsOf(outcome!);
        foreach (var e in segmentIds.Count == 0 ? [] : await EventsAsync(session, segmentIds, at, ct))
        {
            segments[e.StreamId] = Fold.Next(segments.GetValueOrDefault(e.StreamId), e.Data);
        }

        return new StatusInputs(outcome!, new Schedule(outcomeId, [.. connections.Values], [.. activities.Values], [.. plans.Values]), results, segments, at);
    }

    /// <summary>Each stream's version at <paramref name="at"/> (streams not begun by then are absent).</summary>
    private static async Task<Dictionary<Guid, long>> VersionsAtAsync(IQuerySession session, Guid[] streams, DateTimeOffset at, CancellationToken ct)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var json = (await session.QueryAsync<string>(
            $"select coalesce(jsonb_object_agg(stream_id, v), '{{}}')::text from (select stream_id, max(version) v from {schema}.mt_events where stream_id = any(?) and tenant_id = ? and timestamp <= ? group by stream_id) x",
            ct, streams, session.TenantId, at)).Single();
        return System.Text.Json.JsonSerializer.Deserialize<Dictionary<Guid, long>>(json)!;
    }

    private static async Task<IReadOnlyList<IEvent>> EventsAsync(IQuerySession session, IReadOnlyCollection<Guid> streams, DateTimeOffset at, CancellationToken ct)
    {
        var ids = streams.ToArray();
        return await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(ids) && e.Timestamp <= at)
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
    }

    private static List<Guid> SegmentsOf(Outcome outcome) =>
        [.. outcome.Kpis.Where(k => k.SegmentId is not null).Select(k => k.SegmentId!.Value).Distinct()];

    private static NotFoundException NotFound(Guid outcomeId) => Outcome.NotFound(outcomeId);
}
