using JasperFx.Events;
using Marten;
using OrchestraApi.Connections;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Segments;
using OrchestraApi.Triggers;

namespace OrchestraApi.Status;

/// <summary>
/// What an outcome's status is computed from — the outcome, its schedule (plans, activities, connections), its results
/// and the segments its KPIs read — as committed now, or as it was at a past moment (folded from the events up to it).
/// </summary>
/// <param name="Policy">The organisation's thresholds then.</param>
/// <param name="Flags">The outcome's open firings whose trigger flags the status (raised or dismissed).</param>
public sealed record StatusInputs(
    Outcome Outcome, Schedule Schedule, OutcomeResults? Results, IReadOnlyDictionary<Guid, Segment> Segments, DateTimeOffset At, StatusPolicy Policy, IReadOnlyList<TriggerFiring> Flags)
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Schedule, Computed> Reports = new();

    /// <summary>
    /// The status these inputs give. Computed once per state: the last report of a cached schedule is reused while the
    /// outcome, results and segments are at the same versions and time has not moved a rule (see <see cref="ChangesWithTimeAt"/>).
    /// </summary>
    public OutcomeStatusReport Report()
    {
        var state = (Outcome.Version, Results?.Version ?? 0, string.Join(',', Segments.Values.OrderBy(s => s.Id).Select(s => $"{s.Id}:{s.Version}")
            .Concat(Flags.OrderBy(f => f.Id).Select(f => $"{f.Id}:{f.Version}")).Append($"policy:{Policy.Version}")));
        if (Reports.TryGetValue(Schedule, out var kept) && kept.State == state && At >= kept.From && At < kept.Until)
        {
            return kept.Report;
        }

        var report = StatusRules.Report(Outcome, Schedule, Results, Segments, At, Policy, Flags);
        Reports.AddOrUpdate(Schedule, new Computed(state, At, ChangesWithTimeAt(), report));
        return report;
    }

    /// <summary>When the status may change with nothing committed (see <see cref="StatusRules.ChangesWithTimeAt"/>).</summary>
    public DateTimeOffset ChangesWithTimeAt() => StatusRules.ChangesWithTimeAt(Schedule, At, Policy);

    private sealed record Computed((long, long, string) State, DateTimeOffset From, DateTimeOffset Until, OutcomeStatusReport Report);

    /// <summary>Now: each stream's inline snapshot, read after the others' — so every committed change shows.</summary>
    public static async Task<StatusInputs> NowAsync(IQuerySession session, ScheduleCache schedules, Guid outcomeId, DateTimeOffset now, CancellationToken ct)
    {
        var schedule = await Schedule.LoadAsync(session, outcomeId, schedules, ct) ?? throw NotFound(outcomeId);
        var resultsId = OutcomeResults.IdOf(outcomeId);
        var batch = session.CreateBatchQuery();
        var outcomeTask = batch.Load<Outcome>(outcomeId);
        var resultsVersion = batch.Query<OutcomeResults>().Where(r => r.Id == resultsId).Select(r => r.Version).ToList();
        var policyTask = batch.Load<StatusPolicy>(StatusPolicy.IdOf(session.TenantId));
        var flagsTask = batch.Query<TriggerFiring>().Where(f => f.OutcomeId == outcomeId && f.ClearedAt == null && f.Flag != null).ToList();
        await batch.Execute(ct);
        var outcome = await outcomeTask ?? throw NotFound(outcomeId);
        // The results snapshot holds totals per activity: read in full only when its version moved.
        var results = (await resultsVersion).Count == 0 ? null : await schedules.SnapshotAsync<OutcomeResults>(session, resultsId, (await resultsVersion)[0], r => r.Version, ct);
        var segmentIds = SegmentsOf(outcome);
        var segments = segmentIds.Count == 0 ? new Dictionary<Guid, Segment>() : (await session.LoadManyAsync<Segment>(ct, segmentIds)).ToDictionary(s => s.Id);
        return new StatusInputs(outcome, schedule, results, segments, now, await policyTask ?? StatusPolicy.Default, await flagsTask);
    }

    /// <summary>
    /// As it was at <paramref name="at"/>. One range of the outcome index (<see cref="OutcomeEventIndex"/>) gives each of
    /// the outcome's streams its version at that moment; a stream whose state in hand (today's snapshot) is at that
    /// very version is taken as it is, and the others are folded from their events up to the moment, in commit order, by
    /// each stream's own fold — the functions the write path and the snapshots use. The connections are always folded
    /// from their graph's events (each by <see cref="Connection"/>'s fold), and the segments the KPIs then followed from
    /// theirs.
    /// </summary>
    /// <remarks>Called on the inputs now (<see cref="NowAsync"/>): the outcome exists, and a caller comparing moments reads it once.</remarks>
    /// <param name="field">The request field the moment came from, named in the 400 when it is before the outcome.</param>
    public async Task<StatusInputs> AsOfAsync(IQuerySession session, DateTimeOffset at, CancellationToken ct, string field = "asOf")
    {
        var outcomeId = Outcome.Id;
        var then = await OutcomeEventIndex.VersionsAtAsync(session, outcomeId, at, ct);
        if (!then.ContainsKey(outcomeId))
        {
            throw new InvalidInputException(field, "is before the outcome was defined.");
        }

        var inHand = new Dictionary<Guid, IStreamVersioned> { [outcomeId] = Outcome };
        if (Results is { } results)
        {
            inHand[results.Id] = results;
        }

        foreach (var plan in Schedule.Plans)
        {
            inHand[plan.Id] = plan;
        }

        foreach (var activity in Schedule.Activities)
        {
            inHand[activity.Id] = activity;
        }

        var streams = new StreamStates();
        var moved = new List<Guid>();
        foreach (var (stream, version) in then)
        {
            if (inHand.TryGetValue(stream, out var state) && state.Version == version)
            {
                streams.Keep(stream, state);
            }
            else
            {
                moved.Add(stream);
            }
        }

        var connections = new Dictionary<Guid, Connection>();
        foreach (var e in await EventsAsync(session, moved, at, ct))
        {
            streams.Add(e);
            if (e.Data is IConnectionEvent c)
            {
                connections[c.ConnectionId] = Fold.Next(connections.GetValueOrDefault(c.ConnectionId), e.Data);
            }
        }

        var outcome = streams.Of<Outcome>(outcomeId)!;
        // The segments its KPIs then followed, and the organisation's policy then.
        var policyId = StatusPolicy.IdOf(session.TenantId);
        var others = new StreamStates();
        foreach (var e in await EventsAsync(session, [.. SegmentsOf(outcome), policyId], at, ct))
        {
            others.Add(e);
        }

        var schedule = new Schedule(outcomeId, [.. connections.Values], [.. streams.All<Activity>()], [.. streams.All<Plan>()]);
        return new StatusInputs(
            outcome, schedule, streams.Of<OutcomeResults>(OutcomeResults.IdOf(outcomeId)), others.All<Segment>().ToDictionary(s => s.Id), at,
            others.Of<StatusPolicy>(policyId) ?? StatusPolicy.Default, [.. streams.All<TriggerFiring>().Where(f => f.IsOpen && f.Flag is not null)]);
    }

    /// <summary>The events of <paramref name="streams"/> up to <paramref name="at"/>, in commit order.</summary>
    private static async Task<IReadOnlyList<IEvent>> EventsAsync(IQuerySession session, List<Guid> streams, DateTimeOffset at, CancellationToken ct)
    {
        if (streams.Count == 0)
        {
            return [];
        }

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
