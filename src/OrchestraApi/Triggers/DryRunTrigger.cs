using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using JasperFx.Events;
using Marten;
using MediatR;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Segments;
using OrchestraApi.Status;

namespace OrchestraApi.Triggers;

/// <summary>A trigger to try against history: a saved one (`triggerId`), or a condition with its scope and re-arm policy; and the period.</summary>
/// <param name="TriggerId">A saved trigger (its current definition); or give `condition` instead.</param>
/// <param name="Condition">A condition to try, as a trigger would have it; or give `triggerId` instead.</param>
/// <param name="Scope">With `condition`: the scope to try; omitted: every outcome of the organisation (at most 100 are replayed).</param>
/// <param name="Rearm">With `condition`: the re-arm policy to try; omitted: UntilCleared.</param>
/// <param name="From">The period's start (UTC): the state then is evaluated first.</param>
/// <param name="To">The period's end (UTC), after `from`, at most 366 days later; omitted: now.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DryRunTriggerRequest(
    [property: Required] DateTimeOffset? From,
    Guid? TriggerId = null,
    TriggerCondition? Condition = null,
    TriggerScope? Scope = null,
    TriggerRearm? Rearm = null,
    DateTimeOffset? To = null)
    : IHasExample<DryRunTriggerRequest>
{
    public static DryRunTriggerRequest Example => new(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), Condition: TriggerCondition.Example, To: new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero));
}

/// <summary>A firing a trigger would have made.</summary>
/// <param name="OutcomeId">The outcome it would have fired in.</param>
/// <param name="Subject">What the condition held for (as a firing names it).</param>
/// <param name="At">The moment: the commit of the change that made the condition true, or the midnight (UTC) when time alone did.</param>
/// <param name="Summary">The evidence in words.</param>
/// <param name="Values">The values evaluated, by name.</param>
/// <param name="Disciplines">The disciplines the subject belongs to.</param>
/// <param name="ClearedAt">When the condition stopped holding within the period; null when it still held at its end.</param>
public sealed record DryRunFiring(
    Guid OutcomeId, [property: MaxLength(300)] string Subject, DateTimeOffset At, [property: MaxLength(1000)] string Summary,
    [property: MaxLength(20)] IReadOnlyDictionary<string, decimal?> Values, [property: MaxLength(4)] IReadOnlyList<Discipline> Disciplines, DateTimeOffset? ClearedAt);

/// <summary>What a trigger would have done over a period: every firing, oldest first.</summary>
/// <param name="Firings">The firings it would have made, oldest first (at most 1,000).</param>
/// <param name="Outcomes">The outcomes replayed.</param>
/// <param name="Moments">The moments evaluated: each change's commit and each midnight of the period, per outcome.</param>
/// <param name="Truncated">True when more than 1,000 firings, or more than 100 outcomes, were left out.</param>
public sealed record TriggerDryRun([property: MaxLength(TriggerRules.MaxDryRunFirings)] IReadOnlyList<DryRunFiring> Firings, int Outcomes, int Moments, bool Truncated);

public sealed record DryRunTrigger(DryRunTriggerRequest Request, DateTimeOffset Now) : IRequest<TriggerDryRun>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<DryRunTrigger, TriggerDryRun>
    {
        public async Task<TriggerDryRun> Handle(DryRunTrigger query, CancellationToken cancellationToken)
        {
            var r = query.Request;
            var trigger = await TriggerOfAsync(r, query.Now, cancellationToken);
            var (from, to) = (r.From!.Value, r.To ?? query.Now);
            if (to <= from)
            {
                throw new InvalidInputException("to", "must be after from.");
            }

            if (to - from > TimeSpan.FromDays(TriggerRules.MaxDryRunDays))
            {
                throw new InvalidInputException("to", $"must be at most {TriggerRules.MaxDryRunDays} days after from.");
            }

            var outcomes = trigger.Scope.OutcomeIds is { Count: > 0 } named
                ? [.. named]
                : await session.Query<Outcome>().OrderBy(o => o.Id).Select(o => o.Id).Take(TriggerRules.MaxDryRunOutcomes + 1).ToListAsync(cancellationToken);
            var truncated = outcomes.Count > TriggerRules.MaxDryRunOutcomes;
            var firings = new List<DryRunFiring>();
            var moments = 0;
            foreach (var outcomeId in outcomes.Take(TriggerRules.MaxDryRunOutcomes))
            {
                moments += await ReplayAsync(trigger, outcomeId, from, to, firings, cancellationToken);
            }

            truncated |= firings.Count > TriggerRules.MaxDryRunFirings;
            return new TriggerDryRun([.. firings.OrderBy(f => f.At).ThenBy(f => f.OutcomeId).ThenBy(f => f.Subject, StringComparer.Ordinal).Take(TriggerRules.MaxDryRunFirings)], Math.Min(outcomes.Count, TriggerRules.MaxDryRunOutcomes), moments, truncated);
        }

        private async Task<Trigger> TriggerOfAsync(DryRunTriggerRequest r, DateTimeOffset now, CancellationToken ct)
        {
            if ((r.TriggerId is null) == (r.Condition is null))
            {
                throw new InvalidInputException("triggerId", "give either a saved trigger's id or a condition to try, not both or neither.");
            }

            if (r.TriggerId is { } id)
            {
                if (r.Scope is not null || r.Rearm is not null)
                {
                    throw new InvalidInputException(r.Scope is not null ? "scope" : "rearm", "comes with the saved trigger; give it only with a condition.");
                }

                return await session.LoadAsync<Trigger>(id, ct) ?? throw TriggerReads.NotFound(id);
            }

            var scope = await TriggerRules.ScopeAsync(session, r.Scope ?? TriggerScope.All, caller: null, ct);
            return new Trigger(Guid.Empty, "Dry run", null, await TriggerRules.CheckedAsync(session, r.Condition!, ct), scope, (r.Rearm ?? TriggerRearm.Default).Checked(), true, now, now);
        }

        /// <summary>
        /// Folds the outcome's events up to the period's end in commit order, one read; evaluates the trigger at the
        /// period's start, after each commit within it and at each midnight, and plays its re-arm policy.
        /// </summary>
        private async Task<int> ReplayAsync(Trigger trigger, Guid outcomeId, DateTimeOffset from, DateTimeOffset to, List<DryRunFiring> firings, CancellationToken ct)
        {
            var streams = (await OutcomeEventIndex.VersionsAtAsync(session, outcomeId, to, ct)).Keys.ToArray();
            if (!streams.Contains(outcomeId))
            {
                return 0;
            }

            if (TriggerEvaluation.ReadsKpisOnly(trigger.Condition.Kind))
            {
                // A KPI condition reads the outcome, its results and segments: their streams alone are read.
                streams = [.. streams.Where(s => s == outcomeId || s == OutcomeResults.IdOf(outcomeId))];
            }

            var events = await EventsAsync(streams, to, ct);
            var segmentIds = events.Select(e => e.Data).OfType<OutcomeDefined>().SelectMany(d => d.SegmentIds ?? []).ToHashSet();
            segmentIds.UnionWith(events.Select(e => e.Data).OfType<KpiAdded>().Select(k => k.Kpi.SegmentId).OfType<Guid>());
            segmentIds.UnionWith(events.Select(e => e.Data).OfType<KpiRevised>().Select(k => k.Kpi.SegmentId).OfType<Guid>());
            // The segments its KPIs followed, and the organisation's status policy (the pace and RAG thresholds) as it was.
            var policyId = StatusPolicy.IdOf(session.TenantId);
            events = [.. events.Concat(await EventsAsync([.. segmentIds, policyId], to, ct)).OrderBy(e => e.Sequence)];

            // A KPI condition reads the outcome, its results and segments: only their changes (and midnights) can move it.
            var relevant = TriggerEvaluation.ReadsKpisOnly(trigger.Condition.Kind)
                ? events.Where(e => e.Data is IEventOf<Outcome> or IEventOf<OutcomeResults> or IEventOf<Segment> or IEventOf<StatusPolicy>)
                : events;
            var instants = relevant.Where(e => e.Timestamp > from).Select(e => e.Timestamp)
                .Concat(Midnights(from, to)).Append(from).Distinct().Order().ToList();
            // Each moment rebuilds what the condition reads: bounded, so one dry run cannot hold the API's cores for minutes.
            var work = (long)instants.Count * streams.Length;
            if (work > TriggerRules.MaxDryRunWork)
            {
                throw new InvalidInputException("from", $"leaves {instants.Count:N0} moments of an outcome with {streams.Length:N0} streams to replay, more than a dry run evaluates ({TriggerRules.MaxDryRunWork:N0} stream-moments): start later, or try a KPI condition, which reads only the outcome's KPIs.");
            }

            var state = new StreamStates();
            var connections = new Dictionary<Guid, Connection>();
            var open = new Dictionary<string, int>(StringComparer.Ordinal);
            var last = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            // A `forDays` condition: since when each subject has held (from the period's start at the earliest); the
            // moment it will have held long enough is a moment to evaluate, as the live evaluator's tick would.
            var since = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            var pending = new SortedSet<DateTimeOffset>(instants);
            var next = 0;
            while (pending.Count > 0)
            {
                var at = pending.Min;
                pending.Remove(at);
                ct.ThrowIfCancellationRequested();
                for (; next < events.Count && events[next].Timestamp <= at; next++)
                {
                    var e = events[next];
                    state.Add(e);
                    if (e.Data is IConnectionEvent c)
                    {
                        connections[c.ConnectionId] = Fold.Next(connections.GetValueOrDefault(c.ConnectionId), e.Data);
                    }
                }

                if (state.Of<Outcome>(outcomeId) is not { } outcome)
                {
                    continue;
                }

                var results = state.Of<OutcomeResults>(OutcomeResults.IdOf(outcomeId));
                var segments = state.All<Segment>().ToDictionary(s => s.Id);
                var schedule = new Lazy<Schedule>(() => new Schedule(
                    outcomeId, [.. connections.Values], [.. state.All<Activity>().Where(a => a.OutcomeId == outcomeId)], [.. state.All<Plan>().Where(p => p.OutcomeId == outcomeId)]));
                var policy = state.Of<StatusPolicy>(policyId) ?? StatusPolicy.Default;
                // Without flags: a dry run makes no firing, so the status it judges has none of its own, nor (to stay comparable) any other trigger's.
                var inputs = new TriggerInputs(outcome, results, segments, at, () => schedule.Value, () => StatusRules.Report(outcome, schedule.Value, results, segments, at, policy, []), policy);
                var held = TriggerEvaluation.Holdings(trigger, inputs);
                if (trigger.Condition.ForDays is { } days)
                {
                    held = TriggerHolding.Sustained(held, since, at, days);
                    pending.UnionWith(since.Values.Select(began => began.AddDays(days)).Where(due => due > at && due <= to));
                }

                var holdings = held.ToDictionary(h => h.Subject, StringComparer.Ordinal);
                foreach (var subject in open.Keys.Where(s => !holdings.ContainsKey(s)).ToList())
                {
                    firings[open[subject]] = firings[open[subject]] with { ClearedAt = at };
                    open.Remove(subject);
                }

                foreach (var h in holdings.Values)
                {
                    var fire = trigger.Rearm.Policy == RearmPolicy.AtMostEvery
                        ? !last.TryGetValue(h.Subject, out var previous) || at - previous >= TimeSpan.FromHours(trigger.Rearm.Hours!.Value)
                        : !open.ContainsKey(h.Subject);
                    if (fire)
                    {
                        open[h.Subject] = firings.Count;
                        last[h.Subject] = at;
                        firings.Add(new DryRunFiring(outcomeId, h.Subject, at, h.Summary, h.Values, h.Disciplines, null));
                    }
                }
            }

            return instants.Count;
        }

        private async Task<List<IEvent>> EventsAsync(Guid[] streams, DateTimeOffset to, CancellationToken ct) =>
            [.. (await session.Events.QueryAllRawEvents().Where(e => e.StreamId.IsOneOf(streams) && e.Timestamp <= to).OrderBy(e => e.Sequence).ToListAsync(ct))
                .Where(e => e.Data is not IEventOf<TriggerFiring>)];

        private static IEnumerable<DateTimeOffset> Midnights(DateTimeOffset from, DateTimeOffset to)
        {
            for (var day = new DateTimeOffset(from.UtcDateTime.Date.AddDays(1), TimeSpan.Zero); day <= to; day = day.AddDays(1))
            {
                yield return day;
            }
        }
    }
}
