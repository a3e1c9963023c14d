using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Validation;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

// The attributes state the limit in the contract; the handler checks it (and ignores it with cancel), so the framework does not.
[SkipValidation]
public sealed record ImpactQuery
{
    [FromQuery(Name = "slipDays")]
    [Description("Days the activity slips (its start and end move by as many), 0–365; default 0.")]
    [Range(0, 365)]
    public int? SlipDays { get; init; }

    [FromQuery(Name = "cancel")]
    [Description("true: what if the activity is cancelled instead of slipping.")]
    public bool? Cancel { get; init; }
}

/// <summary>A downstream activity hit by the slip, with where it would have to start.</summary>
/// <param name="NewEarliestStart">The earliest it can start after the slip (its own start if that is still late enough).</param>
/// <param name="MoveDays">How many days it moves (0 when it has room).</param>
/// <param name="KpiKeys">The keys of the outcome KPIs it contributes to.</param>
public sealed record ImpactedActivity(Guid ActivityId, Guid PlanId, [property: MaxLength(200)] string Name, DateOnly StartsOn, DateOnly EndsOn, DateOnly NewEarliestStart, int MoveDays, [property: MaxLength(20), ItemsLength(64)] IReadOnlyList<string> KpiKeys);

public sealed record ImpactOnDiscipline(Discipline Discipline, [property: MaxLength(PlanRules.MaxActivitiesPerOutcome)] IReadOnlyList<ImpactedActivity> Activities);

/// <summary>What a slip (or a cancellation) of one activity hits across the disciplines.</summary>
/// <param name="SlipDays">Days the activity slips in this analysis.</param>
/// <param name="Cancelled">True when this is the impact of cancelling the activity rather than of a slip.</param>
/// <param name="Disciplines">Every downstream activity, transitively, grouped by discipline (the four, in order).</param>
/// <param name="Conflicts">Connections that would then be in conflict (or, for a cancellation, broken).</param>
/// <param name="KpiKeys">The outcome KPIs the slipping activity and those it hits contribute to.</param>
public sealed record Impact(Guid ActivityId, int SlipDays, bool Cancelled, [property: MaxLength(4)] IReadOnlyList<ImpactOnDiscipline> Disciplines, [property: MaxLength(ConnectionRules.MaxConnections)] IReadOnlyList<Guid> Conflicts, [property: MaxLength(20), ItemsLength(64)] IReadOnlyList<string> KpiKeys);

public sealed record AnalyseImpact(Guid OutcomeId, Guid ActivityId, ImpactQuery Query) : IRequest<Impact>
{
    public sealed class Handler(IQuerySession session, ScheduleCache schedules) : IRequestHandler<AnalyseImpact, Impact>
    {
        public async Task<Impact> Handle(AnalyseImpact query, CancellationToken cancellationToken)
        {
            var activityId = query.ActivityId;
            var cancel = query.Query.Cancel == true;
            var slip = cancel ? 0 : query.Query.SlipDays ?? 0;
            if (slip is < 0 or > 365)
            {
                throw new InvalidInputException("slipDays", "must be between 0 and 365.");
            }

            var schedule = await Schedule.LoadAsync(session, query.OutcomeId, schedules, cancellationToken)
                ?? throw Outcome.NotFound(query.OutcomeId);
            var source = schedule.Activity(activityId) is { Status: not ActivityStatus.Cancelled } a
                ? a
                : throw new NotFoundException($"Outcome {query.OutcomeId} has no live activity {activityId}.");
            return Analyse(schedule, source, slip, cancel);
        }
    }

    public static Impact Analyse(Schedule schedule, Activity source, int slip, bool cancel)
    {
        var edges = schedule.Edges();
        var outgoing = edges.ToLookup(e => e.From);
        var reached = new HashSet<Guid> { source.Id };
        var queue = new Queue<Guid>([source.Id]);
        while (queue.Count > 0)
        {
            foreach (var e in outgoing[queue.Dequeue()])
            {
                if (reached.Add(e.To))
                {
                    queue.Enqueue(e.To);
                }
            }
        }

        // Shift along the topological order: each reached activity starts no earlier than every moved upstream allows.
        var newStart = new Dictionary<Guid, DateOnly> { [source.Id] = source.Spec.StartsOn.AddDays(slip) };
        var newEnd = new Dictionary<Guid, DateOnly> { [source.Id] = source.Spec.EndsOn.AddDays(slip) };
        var incoming = edges.ToLookup(e => e.To);
        foreach (var activity in schedule.TopologicalOrder(edges).Where(x => reached.Contains(x.Id) && x.Id != source.Id))
        {
            var earliest = activity.Spec.StartsOn;
            foreach (var e in incoming[activity.Id].Where(e => newEnd.ContainsKey(e.From)))
            {
                var required = newEnd[e.From].AddDays(1 + e.Lag);
                earliest = required > earliest ? required : earliest;
            }

            newStart[activity.Id] = cancel ? activity.Spec.StartsOn : earliest;
            newEnd[activity.Id] = newStart[activity.Id].AddDays(Schedule.Duration(activity) - 1);
        }

        var hit = reached.Where(id => id != source.Id && newStart.ContainsKey(id)).Select(id => schedule.Activity(id)!).ToList();
        // Conflicts by the one rule (Schedule.Conflict), with the slipping activity and those it hits at their new
        // dates on the upstream side and everything downstream where it is now: what would be in conflict unless it moves.
        var upstreamAt = newStart.Keys.ToDictionary(id => id, id => (newStart[id], newEnd[id]));
        var conflicts = cancel
            ? schedule.Connections.Where(c => !c.IsFinal && schedule.Members(c.From).Concat(schedule.Members(c.To)).Any(x => x.Id == source.Id)).Select(c => c.Id)
            : schedule.Connections.Where(c => schedule.Members(c.From).Any(x => upstreamAt.ContainsKey(x.Id)) && schedule.Conflict(c, upstreamAt) is not null).Select(c => c.Id);
        return new Impact(
            source.Id,
            slip,
            cancel,
            [.. Schedule.AllDisciplines.Select(d => new ImpactOnDiscipline(d, [.. hit.Where(x => x.Discipline == d).OrderBy(x => x.Id).Select(x => new ImpactedActivity(
                x.Id, x.PlanId, x.Spec.Name, x.Spec.StartsOn, x.Spec.EndsOn, newStart[x.Id], newStart[x.Id].DayNumber - x.Spec.StartsOn.DayNumber, x.Spec.KpiKeys))]))],
            [.. conflicts.Distinct().Order()],
            [.. hit.Prepend(source).SelectMany(x => x.Spec.KpiKeys).Distinct().Order(StringComparer.Ordinal)]);
    }
}
