using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>A discipline's plan for an active outcome, or a pilot when <c>pilotScope</c> is set.</summary>
/// <param name="OutcomeId">The active outcome the plan serves.</param>
/// <param name="Discipline">Whose plan it is.</param>
/// <param name="Title">The plan in a line.</param>
/// <param name="Orchestrator">The discipline's orchestrator, who owns the plan.</param>
/// <param name="Budget">In the outcome's currency.</param>
/// <param name="Objective">What the discipline contributes to the outcome.</param>
/// <param name="PilotScope">Drafts a pilot: the market, segment or channel to try a new practice on first. One discipline may run any number of pilots beside its plan.</param>
/// <param name="AcceptOverAllocation">Go ahead even if the outcome's plans then hold more than its budget; the plan carries the warning. Omitted or null: false.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DraftPlanRequest(
    Guid OutcomeId,
    Discipline Discipline,
    [property: Required, StringLength(200, MinimumLength = 1)] string Title,
    [property: Required, StringLength(200, MinimumLength = 1)] string Orchestrator,
    [property: Required] Money Budget,
    [property: StringLength(4000)] string? Objective = null,
    [property: StringLength(500, MinimumLength = 1)] string? PilotScope = null,
    bool? AcceptOverAllocation = null)
    : IHasExample<DraftPlanRequest>, IHasIdsFromOtherCalls
{
    public static string IdsFrom => "`outcomeId` is the `id` that \"Define an outcome\" answered (the outcome must be active). The example's is that of this document's example answers, not of your data: sent as it is, it answers 404.";

    public static DraftPlanRequest Example => new(
        ContractExamples.Ids.Outcome, Discipline.Crm, "Loyalty CRM plan 2027", "Grace Hopper", new Money(300_000m, "EUR"),
        "Win back lapsed loyalty members with a trigger-based email and direct-mail programme.");
}

public sealed record DraftPlan(DraftPlanRequest Request, Caller Caller, [property: JsonIgnore] string? IdempotencyKey) : IIdempotentCommand<PlanDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<DraftPlan, PlanDetails>
    {
        public async Task<PlanDetails> Handle(DraftPlan command, CancellationToken cancellationToken)
        {
            PlanAccess.EnsureMayEdit(command.Caller, command.Request.Discipline);
            var outcome = await session.OutcomeAsync(command.Request.OutcomeId, cancellationToken);
            var plans = await session.AllocationsOfAsync(outcome.Id, cancellationToken);
            var drafted = PlanRules.Draft(Guid.CreateVersion7(), command.Request, command.Request.PilotScope, outcome, plans, command.Caller.Name, clock.GetUtcNow());
            session.Events.StartStream<Plan>(drafted.PlanId, drafted);
            return PlanDetails.From(Plan.Start(drafted), 1, []);
        }
    }
}
