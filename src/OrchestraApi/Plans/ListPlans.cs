using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record PlanFilter
{
    [FromQuery(Name = "discipline")]
    [Description("Only this discipline's plans and pilots (exact name).")]
    public Discipline? Discipline { get; init; }

    [FromQuery(Name = "status")]
    [Description("Only plans in this status (exact name).")]
    public PlanStatus? Status { get; init; }
}

/// <summary>A plan in the outcome's list, with its roll-up but without its activities.</summary>
/// <param name="PilotScope">A pilot's scope (e.g. one region); null for a discipline's plan.</param>
/// <param name="Orchestrator">The orchestrator who owns the plan for its discipline.</param>
/// <param name="Planned">Sum of the budgets of activities that are not cancelled.</param>
/// <param name="Remaining">Budget minus planned; negative when the activities cost more than the plan holds.</param>
/// <param name="OverAllocationAccepted">True when the conductor accepted that the plans together exceed the outcome's budget.</param>
/// <param name="ActivitiesDone">Activities done.</param>
/// <param name="ActivitiesTotal">Activities that are not cancelled.</param>
public sealed record PlanSummary(
    Guid Id, long Version, Discipline Discipline, [property: MaxLength(500)] string? PilotScope, [property: MaxLength(200)] string Title, [property: MaxLength(200)] string Orchestrator, PlanStatus Status,
    Money Budget, Money Planned, Balance Remaining, bool OverAllocationAccepted, int ActivitiesDone, int ActivitiesTotal)
{
    public static PlanSummary Of(Plan p, long version) => new(
        p.Id, version, p.Discipline, p.PilotScope, p.Title, p.Orchestrator, p.Status, p.Budget, p.Budget with { Amount = p.Planned },
        Balance.Of(p.Budget.Amount - p.Planned, p.Budget.Currency), p.OverAllocationAccepted, p.DoneActivities, p.ActivityCount);
}

public sealed record ListPlans(Guid OutcomeId, PlanFilter Filter, PageRequest Page) : IRequest<Page<PlanSummary>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListPlans, Page<PlanSummary>>
    {
        public async Task<Page<PlanSummary>> Handle(ListPlans query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            await session.OutcomeAsync(query.OutcomeId, cancellationToken);
            var plans = session.Query<Plan>().Where(p => p.OutcomeId == query.OutcomeId);
            if (query.Filter.Discipline is { } discipline)
            {
                plans = plans.Where(p => p.Discipline == discipline);
            }

            if (query.Filter.Status is { } status)
            {
                plans = plans.Where(p => p.Status == status);
            }

            return await page.ReadAsync(plans, p => p.Id, p => PlanSummary.Of(p, p.Version), cancellationToken);
        }
    }
}
