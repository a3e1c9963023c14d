using Marten;
using MediatR;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>
/// Rolls a pilot out (seed 004): its open activities go into the discipline's plan (or a new draft plan made from
/// the pilot when there is none), and the pilot closes as promoted; both streams change in one transaction.
/// Answers with the plan the activities went into.
/// </summary>
public sealed record PromotePilot(Guid PilotId, long ExpectedVersion, Caller Caller) : ICommand<PlanDetails>
{
    public sealed class Handler(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<PromotePilot, PlanDetails>
    {
        public async Task<PlanDetails> Handle(PromotePilot command, CancellationToken cancellationToken)
        {
            Plan? target = null;
            long targetVersion = 0;
            IReadOnlyList<Activity> targetActivities = [];
            await session.DecideAsync<Plan>(command.PilotId, command.ExpectedVersion, async pilot =>
            {
                PlanAccess.EnsureMayEdit(command.Caller, pilot.Discipline);
                var outcome = await session.OutcomeAsync(pilot.OutcomeId, cancellationToken);
                var liveId = (await session.AllocationsOfAsync(pilot.OutcomeId, cancellationToken)).FirstOrDefault(p => p.IsLivePlan && p.Discipline == pilot.Discipline)?.Id;
                var live = liveId is { } id ? await session.LockAsync<Plan>(id, cancellationToken) : null;
                var activities = (await session.ActivitiesOfAsync(pilot.Id, cancellationToken)).Where(a => a.Status != ActivityStatus.Cancelled).ToList();
                var (pilotEvents, intoTarget, carried) = PlanRules.Promote(pilot, activities, live?.Aggregate, outcome, Guid.CreateVersion7(), command.Caller.Name, clock.GetUtcNow());
                if (live is null)
                {
                    var drafted = (PlanDrafted)intoTarget[0];
                    session.Events.StartStream<Plan>(drafted.PlanId, intoTarget);
                    (target, targetVersion) = (intoTarget.Skip(1).Aggregate(Plan.Start(drafted), (p, e) => p.Evolve(e)), intoTarget.Length);
                }
                else
                {
                    live.AppendMany(intoTarget);
                    (target, targetVersion) = (intoTarget.Aggregate(live.Aggregate!, (p, e) => p.Evolve(e)), (live.CurrentVersion ?? 0) + intoTarget.Length);
                }

                var moved = activities.Select(a => a.After(carried.First(c => c.ActivityId == a.Id))).ToList();

                // Moving work into another plan moves it inside that plan's span: a dependency on the whole plan now
                // reaches it. Under the connection graph's lock (as definitions take it, after the plans' locks), the
                // schedule after the move must hold no cycle.
                await session.LockAsync<ConnectionGraph>(ConnectionGraph.IdOf(pilot.OutcomeId), cancellationToken);
                var schedule = await Schedule.LoadAsync(session, pilot.OutcomeId, schedules, cancellationToken)
                    ?? throw Outcome.NotFound(pilot.OutcomeId);
                ConnectionRules.EnsureNoCycle(schedule.WithActivities(moved), $"Promoting pilot '{pilot.Title}'");
                targetActivities = [.. (live is null ? [] : await session.ActivitiesOfAsync(live.Id, cancellationToken)).Concat(moved).OrderBy(a => a.Id)];

                // Both plans are locked, and every activity change locks its plan first: nobody else writes these activities now.
                foreach (var carriedOver in carried)
                {
                    session.Events.Append(carriedOver.ActivityId, carriedOver);
                }

                return pilotEvents;
            }, (p, e) => p.Evolve(e), cancellationToken, exclusive: true);
            return PlanDetails.From(target!, targetVersion, targetActivities);
        }
    }
}
