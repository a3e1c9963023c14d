using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>How an outcome's budget is spread over its plans and pilots.</summary>
/// <param name="Allocated">Sum of the budgets of every plan and pilot that holds budget (not cancelled or promoted).</param>
/// <param name="Unallocated">The outcome's budget minus what is allocated; negative when over-allocated.</param>
/// <param name="OverAllocated">True when the plans hold more than the outcome's budget.</param>
/// <param name="Plans">Every plan and pilot that holds budget, oldest first.</param>
public sealed record BudgetAllocation(Guid OutcomeId, Money Budget, Money Allocated, Balance Unallocated, bool OverAllocated, [property: MaxLength(PlanRules.MaxPlansPerOutcome)] IReadOnlyList<PlanBudget> Plans);

/// <summary>One plan's share of the outcome's budget.</summary>
/// <param name="PilotScope">A pilot's scope (e.g. one region); null for a discipline's plan.</param>
public sealed record PlanBudget(Guid PlanId, Discipline Discipline, [property: MaxLength(500)] string? PilotScope, PlanStatus Status, Money Budget);

public sealed record GetBudgetAllocation(Guid OutcomeId) : IRequest<BudgetAllocation>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetBudgetAllocation, BudgetAllocation>
    {
        public async Task<BudgetAllocation> Handle(GetBudgetAllocation query, CancellationToken cancellationToken)
        {
            var outcome = await session.OutcomeAsync(query.OutcomeId, cancellationToken);
            var holding = (await session.AllocationsOfAsync(query.OutcomeId, cancellationToken)).Where(p => p.HoldsBudget).OrderBy(p => p.Id).ToList();
            var allocated = holding.Sum(p => p.Budget.Amount);
            return new BudgetAllocation(
                outcome.Id, outcome.Budget, outcome.Budget with { Amount = allocated }, Balance.Of(outcome.Budget.Amount - allocated, outcome.Budget.Currency),
                allocated > outcome.Budget.Amount, [.. holding.Select(p => new PlanBudget(p.Id, p.Discipline, p.PilotScope, p.Status, p.Budget))]);
        }
    }
}
