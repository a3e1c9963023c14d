using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>
/// Rolls a pilot out (seed 004): its open activities go into the discipline's plan (or a new draft plan made from
/// the pilot when there is none), and the pilot closes as promoted; both streams change in one transaction.
/// Answers with the plan the activities went into.
/// </summary>
public sealed record PromotePilot(Guid PilotId, long ExpectedVersion, Caller Caller) : ICommand<PlanDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<PromotePilot, PlanDetails>
    {
        public async Task<PlanDetails> Handle(PromotePilot command, CancellationToken cancellationToken)
        {
            Plan? target = null;
            long targetVersion = 0;
            await session.DecideAsync<Plan>(command.PilotId, command.ExpectedVersion, async pilot =>
            {
                PlanAccess.EnsureMayEdit(command.Caller, pilot.Discipline);
                var outcome = await session.OutcomeAsync(pilot.OutcomeId, cancellationToken);
                var liveId = (await session.AllocationsOfAsync(pilot.OutcomeId, cancellationToken)).FirstOrDefault(p => p.IsLivePlan && p.Discipline == pilot.Discipline)?.Id;
                var live = liveId is { } id ? await session.LoadAsync<Plan>(id, cancellationToken) : null;
                var details = await session.ActivityDetailsAsync(pilot.Activities.Select(a => a.Id), cancellationToken);
                var (pilotEvents, intoTarget) = PlanRules.Promote(pilot, details, live, outcome, Guid.CreateVersion7(), command.Caller.Name, clock.GetUtcNow());
                if (live is null)
                {
                    var drafted = (PlanDrafted)intoTarget[0];
                    session.Events.StartStream<Plan>(drafted.PlanId, intoTarget);
                    (target, targetVersion) = (intoTarget.Skip(1).Aggregate(Plan.Create(drafted), (p, e) => p.Next(e)), intoTarget.Length);
                }
                else
                {
                    var stream = await session.Events.FetchForWriting<Plan>(live.Id, cancellationToken);
                    var version = stream.CurrentVersion ?? 0;
                    stream.AppendMany(intoTarget);
                    (target, targetVersion) = (intoTarget.Aggregate(stream.Aggregate!, (p, e) => p.Next(e)), version + intoTarget.Length);
                }

                return pilotEvents;
            }, (p, e) => p.Next(e), cancellationToken);
            return await session.DetailsAsync(target!, targetVersion, cancellationToken);
        }
    }
}
