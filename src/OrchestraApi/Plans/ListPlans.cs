using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record PlanFilter
{
    /// <summary>The outcome whose plans to list (required).</summary>
    [FromQuery(Name = "outcomeId")]
    public Guid? OutcomeId { get; init; }

    /// <summary>Only this discipline's plans and pilots.</summary>
    [FromQuery(Name = "discipline")]
    public Discipline? Discipline { get; init; }

    /// <summary>Only plans in this status.</summary>
    [FromQuery(Name = "status")]
    public PlanStatus? Status { get; init; }
}

/// <summary>A plan in the outcome's list, with its roll-up but without its activities.</summary>
public sealed record PlanSummary(
    Guid Id, long Version, Discipline Discipline, string? PilotScope, string Title, string Orchestrator, PlanStatus Status,
    Money Budget, decimal Planned, decimal Remaining, bool OverAllocationAccepted, int ActivitiesDone, int ActivitiesTotal);

/// <summary>The plans of an outcome and how its budget is allocated across all of them (whatever the filter).</summary>
/// <param name="Allocated">Sum of the budgets of every plan and pilot that holds budget (not cancelled or promoted).</param>
/// <param name="OverAllocated">True when the plans hold more than the outcome's budget.</param>
public sealed record PlansOfOutcome(Guid OutcomeId, Money OutcomeBudget, decimal Allocated, decimal Unallocated, bool OverAllocated, IReadOnlyList<PlanSummary> Plans);

public sealed record ListPlans(PlanFilter Filter) : IRequest<PlansOfOutcome>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListPlans, PlansOfOutcome>
    {
        public async Task<PlansOfOutcome> Handle(ListPlans query, CancellationToken cancellationToken)
        {
            var outcomeId = query.Filter.OutcomeId ?? throw new InvalidInputException("outcomeId", "is required.");
            var outcome = await session.OutcomeAsync(outcomeId, cancellationToken);
            var plans = await session.PlansOfAsync(outcomeId, cancellationToken);
            var allocated = plans.Select(PlanAllocation.Of).Where(p => p.HoldsBudget).Sum(p => p.Budget.Amount);
            var shown = plans
                .Where(p => query.Filter.Discipline is not { } d || p.Discipline == d)
                .Where(p => query.Filter.Status is not { } s || p.Status == s)
                .Select(p => new PlanSummary(
                    p.Id, p.Version, p.Discipline, p.PilotScope, p.Title, p.Orchestrator, p.Status, p.Budget, p.Planned, p.Budget.Amount - p.Planned,
                    p.OverAllocationAccepted, p.DoneActivities, p.ActivityCount));
            return new PlansOfOutcome(outcomeId, outcome.Budget, allocated, outcome.Budget.Amount - allocated, allocated > outcome.Budget.Amount, [.. shown]);
        }
    }
}
