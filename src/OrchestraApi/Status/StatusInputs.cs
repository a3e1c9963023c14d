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
    public OutcomeStatusReport Report() => GetOutcomeStatus.Report(Outcome, Schedule, Results, Segments, At);

    /// <summary>Now: each stream's inline snapshot, read after the others' — so every committed change shows.</summary>
    public static async Task<StatusInputs> NowAsync(IQuerySession session, ScheduleCache schedules, Guid outcomeId, DateTimeOffset now, CancellationToken ct)
    {
        var schedule = await Schedule.LoadAsync(session, outcomeId, schedules, ct) ?? throw NotFound(outcomeId);
        var batch = session.CreateBatchQuery();
        var outcomeTask = batch.Load<Outcome>(outcomeId);
        var resultsTask = batch.Load<OutcomeResults>(OutcomeResults.IdOf(outcomeId));
        await batch.Execute(ct);
        var outcome = await outcomeTask ?? throw NotFound(outcomeId);
        var segmentIds = SegmentsOf(outcome);
        var segments = segmentIds.Count == 0 ? new Dictionary<Guid, Segment>() : (await session.LoadManyAsync<Segment>(ct, segmentIds)).ToDictionary(s => s.Id);
        return new StatusInputs(outcome, schedule, await resultsTask, segments, now);
    }

    /// <summary>
    /// As it was at <paramref name="at"/>: every event of the outcome's streams recorded up to that moment, read in one
    /// query in the order they were appended, folded by the same functions the write path uses.
    /// </summary>
    public static async Task<StatusInputs> AsOfAsync(IQuerySession session, ScheduleCache schedules, Guid outcomeId, DateTimeOffset at, CancellationToken ct)
    {
        // Plans and activities are never deleted, so today's schedule names every stream the outcome ever had.
        var current = await Schedule.LoadAsync(session, outcomeId, schedules, ct) ?? throw NotFound(outcomeId);
        var graphId = ConnectionGraph.IdOf(outcomeId);
        var resultsId = OutcomeResults.IdOf(outcomeId);
        var streams = new List<Guid> { outcomeId, graphId, resultsId };
        streams.AddRange(current.Plans.Select(p => p.Id));
        streams.AddRange(current.Activities.Select(a => a.Id));
        var events = await EventsAsync(session, streams, at, ct);

        Outcome? outcome = null;
        OutcomeResults? results = null;
        var plans = new Dictionary<Guid, Plan>();
        var activities = new Dictionary<Guid, Activity>();
        var connections = new Dictionary<Guid, Connection>();
        foreach (var e in events)
        {
            if (e.StreamId == outcomeId)
            {
                outcome = e.Data is OutcomeDefined defined ? Outcome.Create(defined) : outcome?.Next(e.Data);
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
                    connections[c.ConnectionId] = connection.Next(c);
                }
            }
            else if (e.StreamId == resultsId)
            {
                results = e.Data switch
                {
                    ResultsOpened opened => OutcomeResults.Create(opened),
                    ResultsRecorded recorded => results?.Apply(recorded),
                    KpiObserved observed => results?.Apply(observed),
                    _ => results,
                };
                results?.Version = e.Version;
            }
            else if (e.Data is ActivityScheduled scheduled)
            {
                activities[e.StreamId] = Activity.Create(scheduled) with { Version = e.Version };
            }
            else if (activities.TryGetValue(e.StreamId, out var activity))
            {
                activities[e.StreamId] = activity.Next(e.Data) with { Version = e.Version };
            }
            else if (e.Data is PlanDrafted drafted)
            {
                plans[e.StreamId] = Plan.Create(drafted) with { Version = e.Version };
            }
            else if (plans.TryGetValue(e.StreamId, out var plan))
            {
                plans[e.StreamId] = plan.Next(e.Data) with { Version = e.Version };
            }
        }

        if (outcome is null)
        {
            throw new InvalidInputException("asOf", "is before the outcome was defined.");
        }

        var segmentIds = SegmentsOf(outcome);
        var segments = new Dictionary<Guid, Segment>();
        foreach (var e in segmentIds.Count == 0 ? [] : await EventsAsync(session, segmentIds, at, ct))
        {
            if (e.Data is SegmentDefined defined)
            {
                segments[e.StreamId] = Segment.Create(defined);
            }
            else if (e.Data is SegmentRevised revised && segments.TryGetValue(e.StreamId, out var segment))
            {
                segments[e.StreamId] = segment.Apply(revised);
            }
        }

        return new StatusInputs(outcome, new Schedule(outcomeId, [.. connections.Values], [.. activities.Values], [.. plans.Values]), results, segments, at);
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

    private static NotFoundException NotFound(Guid outcomeId) => new($"Outcome {outcomeId} was not found.");
}
