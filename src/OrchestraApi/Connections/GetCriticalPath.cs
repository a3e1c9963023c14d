using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>An activity in the outcome's critical-path analysis (classic CPM on whole days; an activity never starts before its own start date).</summary>
/// <param name="SlackDays">Latest start minus earliest start: how far it can slip without moving the outcome's last finish.</param>
public sealed record ScheduledActivity(
    Guid ActivityId, Guid PlanId, Discipline Discipline, [property: MaxLength(200)] string Name, DateOnly EarliestStart, DateOnly EarliestFinish, DateOnly LatestStart, DateOnly LatestFinish, int SlackDays);

/// <summary>The longest chain of dependencies across disciplines (by duration, with lags), and every activity's slack.</summary>
/// <param name="Path">The chain, in order: each activity starts as soon as the one before it (plus lag) lets it.</param>
/// <param name="SpanDays">Days from the chain's start to its end, both included.</param>
public sealed record CriticalPath(Guid OutcomeId, [property: MaxLength(PlanRules.MaxActivitiesPerOutcome)] IReadOnlyList<ScheduledActivity> Path, DateOnly? Start, DateOnly? End, int SpanDays, [property: MaxLength(PlanRules.MaxActivitiesPerOutcome)] IReadOnlyList<ScheduledActivity> Activities);

public sealed record GetCriticalPath(Guid OutcomeId) : IRequest<CriticalPath>
{
    public sealed class Handler(IQuerySession session, ScheduleCache schedules) : IRequestHandler<GetCriticalPath, CriticalPath>
    {
        public async Task<CriticalPath> Handle(GetCriticalPath query, CancellationToken cancellationToken)
        {
            var schedule = await Schedule.LoadAsync(session, query.OutcomeId, schedules, cancellationToken)
                ?? throw Outcome.NotFound(query.OutcomeId);

            // A schedule is immutable and cached while nothing changes: its analysis is computed once.
            return Computed.GetValue(schedule, s => CriticalPathRules.Analyse(s, query.OutcomeId));
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Schedule, CriticalPath> Computed = new();
}
