using System.ComponentModel;
using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public static class PlansEndpoints
{
    private const string IfMatch = Versions.IfMatchHeader;

    public static void MapPlans(this IEndpointRouteBuilder app)
    {
        var plans = app.MapGroup("/plans").WithTags("Plans").Problems(400, 401, 403, 429, 503);

        plans.MapPost("/", Draft).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 422)
            .Describe(nameof(DraftPlan), "Draft a plan or pilot", "Drafts a discipline's plan for an active outcome (one live plan per discipline), or a pilot when pilotScope is set. The budget is in the outcome's currency; if the outcome's plans would then hold more than its budget, send acceptOverAllocation: true. Orchestrators and agencies draft only for their own disciplines. Accepts Idempotency-Key.");
        // Lists scoped to one outcome live under it (/outcomes/{outcomeId}/...), as every outcome-scoped list will.
        var ofOutcome = app.MapGroup("/outcomes/{outcomeId:guid}").WithTags("Plans").Problems(400, 401, 403, 404, 429, 503).RequireAuthorization(Policies.ReadOrganisation);
        ofOutcome.MapGet("/plans", List)
            .Describe(nameof(ListPlans), "List an outcome's plans", "The plans and pilots of an outcome, oldest first, each with its budget roll-up; filter by discipline and status; cursor-paginated. How the outcome's budget is spread over them is at /outcomes/{outcomeId}/budget.");
        ofOutcome.MapGet("/budget", Budget)
            .Describe(nameof(GetBudgetAllocation), "Get an outcome's budget allocation", "The outcome's budget, how much of it the plans and pilots hold (allocated), what is left (negative when over-allocated) and each plan's share.");
        ofOutcome.MapGet("/activities", Activities)
            .Describe(nameof(ListActivities), "List an outcome's activities", "Activities across all plans of an outcome, in the order they were scheduled; filter by discipline, status, channel and a date range; cursor-paginated.");

        plans.MapGet("/{planId:guid}", Get).RequireAuthorization(Policies.ReadOrganisation).Problems(404).Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(GetPlan), "Get a plan", "A plan with its activities and budget roll-up. The ETag header (and `version`) is what If-Match needs for a change.");
        plans.MapPatch("/{planId:guid}", Revise).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(RevisePlan), "Revise a plan", "Changes the title, objective, orchestrator or budget of a draft or returned plan; omitted fields stay as they are.");
        plans.MapPost("/{planId:guid}/submit", Submit).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(SubmitPlan), "Submit a plan", "Sends a draft or returned plan to the conductor. It needs at least one activity, activities within its budget and inside the outcome's window.");
        plans.MapPost("/{planId:guid}/approve", Approve).RequireAuthorization(Policies.ApprovePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(ApprovePlan), "Approve a plan", "The conductor approves a submitted plan: its activities can then start.");
        plans.MapPost("/{planId:guid}/return", Return).RequireAuthorization(Policies.ApprovePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(ReturnPlan), "Return a plan", "The conductor returns a submitted plan with comments; the orchestrator revises and resubmits it.");
        plans.MapPost("/{planId:guid}/cancel", Cancel).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(CancelPlan), "Cancel a plan", "Cancels an open plan and every activity in it not yet done.");
        plans.MapPost("/{planId:guid}/promote", Promote).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(PromotePilot), "Promote a pilot", "Rolls a pilot out: its activities that are not cancelled go into the discipline's plan (or a new draft plan made from the pilot if there is none), and the pilot closes as promoted. Answers with that plan.");
        plans.MapGet("/{planId:guid}/history", History).RequireAuthorization(Policies.ReadOrganisation).Problems(404)
            .Describe(nameof(GetPlanHistory), "Get a plan's history", "Every change to the plan and to its activities while they were in it, oldest first: what changed, who did it and when (`activityId` says which activity). An activity's whole history, wherever it was, is at /plans/{planId}/activities/{activityId}/history. Cursor-paginated.");

        plans.MapPost("/{planId:guid}/activities", Schedule).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 422)
            .Describe(nameof(ScheduleActivity), "Schedule an activity", "Adds an activity to an open plan that is not with the conductor. Dates fall inside the outcome's window; in an approved plan, activities stay within the plan's budget. A create: no If-Match (the plan is locked while it is checked, so concurrent schedules wait for each other rather than fail), and Idempotency-Key makes a retry return the first answer. Answers 201 with the activity's Location and its own version as ETag.");
        plans.MapGet("/{planId:guid}/activities/{activityId:guid}", GetActivity).RequireAuthorization(Policies.ReadOrganisation).Problems(404).Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(Plans.GetActivity), "Get an activity", "One activity of a plan. The ETag header (and `version`) is the activity's own version, which If-Match needs for its next change.");
        plans.MapGet("/{planId:guid}/activities/{activityId:guid}/history", ActivityHistory).RequireAuthorization(Policies.ReadOrganisation).Problems(404)
            .Describe(nameof(GetActivityHistory), "Get an activity's history", "Every change to the activity, oldest first (including a move from a pilot): what changed, who did it and when; cursor-paginated.");
        plans.MapPost("/{planId:guid}/activities/{activityId:guid}/reschedule", Reschedule).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(RescheduleActivity), "Reschedule an activity", "Moves an activity that is not done or cancelled, inside the outcome's window. If-Match is the activity's version: changes to other activities of the plan never make it stale.");
        plans.MapPost("/{planId:guid}/activities/{activityId:guid}/rebudget", Rebudget).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(RebudgetActivity), "Re-budget an activity", "Changes an activity's budget; in an approved plan the activities must stay within the plan's budget (checked with the plan locked, so two re-budgets cannot together break it). If-Match is the activity's version.");
        plans.MapPost("/{planId:guid}/activities/{activityId:guid}/start", Start).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(StartActivity), "Start an activity", "Starts a planned activity of an approved plan; the first start puts the plan in execution. If-Match is the activity's version.");
        plans.MapPost("/{planId:guid}/activities/{activityId:guid}/complete", Complete).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(CompleteActivity), "Complete an activity", "Marks an activity in progress as done (final). When every activity is done or cancelled, the plan is completed. If-Match is the activity's version.");
        plans.MapPost("/{planId:guid}/activities/{activityId:guid}/cancel", CancelActivity).RequireAuthorization(Policies.ManagePlans).Problems(404, 409, 412, 428)
            .Describe(nameof(Plans.CancelActivity), "Cancel an activity", "Cancels an activity that is not done (final); its budget leaves the plan. If-Match is the activity's version.");
    }

    private static async Task<Created<PlanDetails>> Draft(DraftPlanRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct)
    {
        var plan = await mediator.Send(new DraftPlan(request, Caller.From(user), Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/plans/{plan.Id}", plan.WithETag(http));
    }

    private static Task<Page<PlanSummary>> List([Description("The outcome's id.")] Guid outcomeId, [AsParameters] PlanFilter filter, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListPlans(outcomeId, filter, page), ct);

    private static Task<BudgetAllocation> Budget([Description("The outcome's id.")] Guid outcomeId, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetBudgetAllocation(outcomeId), ct);

    private static Task<Page<ActivityDetails>> Activities([Description("The outcome's id.")] Guid outcomeId, [AsParameters] ActivityFilter filter, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListActivities(outcomeId, filter, page), ct);

    private static Task<Results<Ok<PlanDetails>, StatusCodeHttpResult>> Get([Description("The plan's (or pilot's) id.")] Guid planId, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.ReadVersionedAsync(new GetPlan(planId), http, ct);

    private static Task<Ok<PlanDetails>> Revise([Description("The plan's (or pilot's) id.")] Guid planId, [FromHeader(Name = IfMatch)] string? ifMatch, RevisePlanRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new RevisePlan(planId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);

    private static Task<Ok<PlanDetails>> Submit([Description("The plan's (or pilot's) id.")] Guid planId, [FromHeader(Name = IfMatch)] string? ifMatch, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new SubmitPlan(planId, Versions.Expected(ifMatch), Caller.From(user)), http, ct);

    private static Task<Ok<PlanDetails>> Approve([Description("The plan's (or pilot's) id.")] Guid planId, [FromHeader(Name = IfMatch)] string? ifMatch, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ApprovePlan(planId, Versions.Expected(ifMatch), Caller.From(user).Name), http, ct);

    private static Task<Ok<PlanDetails>> Return([Description("The plan's (or pilot's) id.")] Guid planId, [FromHeader(Name = IfMatch)] string? ifMatch, ReturnPlanRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ReturnPlan(planId, Versions.Expected(ifMatch), request, Caller.From(user).Name), http, ct);

    private static Task<Ok<PlanDetails>> Cancel([Description("The plan's (or pilot's) id.")] Guid planId, [FromHeader(Name = IfMatch)] string? ifMatch, CancelRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new CancelPlan(planId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);

    private static Task<Ok<PlanDetails>> Promote([Description("The plan's (or pilot's) id.")] Guid planId, [FromHeader(Name = IfMatch)] string? ifMatch, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new PromotePilot(planId, Versions.Expected(ifMatch), Caller.From(user)), http, ct);

    private static Task<Page<PlanChange>> History([Description("The plan's (or pilot's) id.")] Guid planId, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetPlanHistory(planId, page), ct);

    private static async Task<Created<ActivityDetails>> Schedule([Description("The plan's (or pilot's) id.")] Guid planId, ScheduleActivityRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct)
    {
        var activity = await mediator.Send(new ScheduleActivity(planId, request, Caller.From(user), Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/plans/{planId}/activities/{activity.Id}", activity.WithETag(http));
    }

    private static Task<Results<Ok<ActivityDetails>, StatusCodeHttpResult>> GetActivity([Description("The plan's (or pilot's) id.")] Guid planId, [Description("The activity's id; it must belong to the plan (or outcome) in the path.")] Guid activityId, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.ReadVersionedAsync(new GetActivity(planId, activityId), http, ct);

    private static Task<Page<PlanChange>> ActivityHistory([Description("The plan's (or pilot's) id.")] Guid planId, [Description("The activity's id; it must belong to the plan (or outcome) in the path.")] Guid activityId, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetActivityHistory(planId, activityId, page), ct);

    private static Task<Ok<ActivityDetails>> Reschedule([Description("The plan's (or pilot's) id.")] Guid planId, [Description("The activity's id; it must belong to the plan (or outcome) in the path.")] Guid activityId, [FromHeader(Name = IfMatch)] string? ifMatch, RescheduleActivityRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new RescheduleActivity(planId, activityId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);

    private static Task<Ok<ActivityDetails>> Rebudget([Description("The plan's (or pilot's) id.")] Guid planId, [Description("The activity's id; it must belong to the plan (or outcome) in the path.")] Guid activityId, [FromHeader(Name = IfMatch)] string? ifMatch, RebudgetActivityRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new RebudgetActivity(planId, activityId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);

    private static Task<Ok<ActivityDetails>> Start([Description("The plan's (or pilot's) id.")] Guid planId, [Description("The activity's id; it must belong to the plan (or outcome) in the path.")] Guid activityId, [FromHeader(Name = IfMatch)] string? ifMatch, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new StartActivity(planId, activityId, Versions.Expected(ifMatch), Caller.From(user)), http, ct);

    private static Task<Ok<ActivityDetails>> Complete([Description("The plan's (or pilot's) id.")] Guid planId, [Description("The activity's id; it must belong to the plan (or outcome) in the path.")] Guid activityId, [FromHeader(Name = IfMatch)] string? ifMatch, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new CompleteActivity(planId, activityId, Versions.Expected(ifMatch), Caller.From(user)), http, ct);

    private static Task<Ok<ActivityDetails>> CancelActivity([Description("The plan's (or pilot's) id.")] Guid planId, [Description("The activity's id; it must belong to the plan (or outcome) in the path.")] Guid activityId, [FromHeader(Name = IfMatch)] string? ifMatch, CancelRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new CancelActivity(planId, activityId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);
}
