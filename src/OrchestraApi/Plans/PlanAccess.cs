using Marten;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>The reads and checks every plan use case shares.</summary>
public static class PlanAccess
{
    /// <summary>Orchestrators and agencies touch only their own disciplines' plans; admins any.</summary>
    public static void EnsureMayEdit(Caller caller, Discipline discipline)
    {
        if (caller.Role != Role.Admin && !caller.Disciplines.Contains(discipline))
        {
            throw new ForbiddenException($"This key may not change {discipline} plans.");
        }
    }

    public static async Task<Outcome> OutcomeAsync(this IQuerySession session, Guid outcomeId, CancellationToken ct) =>
        await session.LoadAsync<Outcome>(outcomeId, ct) ?? throw new NotFoundException($"Outcome {outcomeId} was not found.");

    public static async Task<IReadOnlyList<Plan>> PlansOfAsync(this IQuerySession session, Guid outcomeId, CancellationToken ct) =>
        await session.Query<Plan>().Where(p => p.OutcomeId == outcomeId).OrderBy(p => p.Id).ToListAsync(ct);
}
