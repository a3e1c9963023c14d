using Marten;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>The reads and checks every plan use case shares.</summary>
public static class PlanAccess
{
    /// <summary>Orchestrators and agencies touch only their own disciplines' plans; admins any.</summary>
    public static void EnsureMayEdit(Caller caller, Discipline discipline) =>
        EnsureMayActFor(caller, discipline, $"This key may not change {discipline} plans.");

    /// <summary>
    /// The one check of "may this caller act for this discipline": an admin for any, an orchestrator or agency for the
    /// disciplines its key was given; anyone else, or another discipline, is a 403 saying <paramref name="refusal"/>.
    /// </summary>
    public static void EnsureMayActFor(Caller caller, Discipline discipline, string refusal)
    {
        if (!MayActFor(caller, discipline))
        {
            throw new ForbiddenException(refusal);
        }
    }

    /// <summary>True for an admin, or an orchestrator or agency whose key was given <paramref name="discipline"/>.</summary>
    public static bool MayActFor(Caller caller, Discipline discipline) =>
        caller.Role == Role.Admin || (caller.Role is Role.Orchestrator or Role.Agency && caller.Disciplines.Contains(discipline));

    public static async Task<Outcome> OutcomeAsync(this IQuerySession session, Guid outcomeId, CancellationToken ct) =>
        await session.LoadAsync<Outcome>(outcomeId, ct) ?? throw Outcome.NotFound(outcomeId);

    public static async Task<IReadOnlyList<Plan>> PlansOfAsync(this IQuerySession session, Guid outcomeId, CancellationToken ct) =>
        await session.Query<Plan>().Where(p => p.OutcomeId == outcomeId).OrderBy(p => p.Id).ToListAsync(ct);

    /// <summary>A plan as clients see it: its state with its activities, read as one JSON array in one query.</summary>
    public static async Task<PlanDetails> DetailsAsync(this IQuerySession session, Plan plan, long version, CancellationToken ct) =>
        PlanDetails.From(plan, version, await session.ActivitiesOfAsync(plan.Id, ct));

    /// <summary>An activity of the plan (404 for another plan's, another organisation's or an unknown one).</summary>
    public static async Task<Activity> ActivityOfAsync(this IQuerySession session, Guid planId, Guid activityId, CancellationToken ct) =>
        await session.LoadAsync<Activity>(activityId, ct) is { } activity && activity.PlanId == planId
            ? activity
            : throw new NotFoundException($"Plan {planId} has no activity {activityId}.");

    /// <summary>A plan's activities, oldest first: one query, one JSON piece (not a document per activity).</summary>
    public static async Task<IReadOnlyList<Activity>> ActivitiesOfAsync(this IQuerySession session, Guid planId, CancellationToken ct)
    {
        using var json = new MemoryStream();
        await session.Query<Activity>().Where(a => a.PlanId == planId).OrderBy(a => a.Id).StreamJsonArray(json, ct);
        json.Position = 0;
        return session.DocumentStore.Options.Serializer().FromJson<List<Activity>>(json);
    }

    /// <summary>Just what the allocation and one-plan-per-discipline rules need: never the plans' activities.</summary>
    public static async Task<IReadOnlyList<PlanAllocation>> AllocationsOfAsync(this IQuerySession session, Guid outcomeId, CancellationToken ct) =>
        await session.Query<Plan>()
            .Where(p => p.OutcomeId == outcomeId)
            .Select(p => new PlanAllocation { Id = p.Id, Discipline = p.Discipline, Status = p.Status, PilotScope = p.PilotScope, Budget = p.Budget })
            .ToListAsync(ct);
}

/// <summary>A plan as the outcome's budget sees it.</summary>
public sealed record PlanAllocation
{
    public Guid Id { get; init; }

    public Discipline Discipline { get; init; }

    public PlanStatus Status { get; init; }

    public string? PilotScope { get; init; }

    public required Money Budget { get; init; }

    /// <summary>The discipline's one live plan: not a pilot, not cancelled.</summary>
    public bool IsLivePlan => Plan.IsLive(PilotScope, Status);

    /// <summary>Counts against the outcome's budget (a promoted pilot's money moved into its plan).</summary>
    public bool HoldsBudget => Status is not (PlanStatus.Cancelled or PlanStatus.Promoted);

    public static PlanAllocation Of(Plan plan) => new() { Id = plan.Id, Discipline = plan.Discipline, Status = plan.Status, PilotScope = plan.PilotScope, Budget = plan.Budget };
}
