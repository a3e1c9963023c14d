using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Validation;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Results;

public static class ResultsEndpoints
{
    public static void MapResults(this IEndpointRouteBuilder app)
    {
        var outcome = app.MapGroup("/outcomes/{outcomeId:guid}").WithTags("Results").Problems(400, 401, 403, 404, 429, 503);

        // Judged whole (IJudgedWhole): request validation has checked the body, and the rules report with it in one answer.
        outcome.MapPost("/results", Record).RequireAuthorization(Policies.ManagePlans).Problems(422).DisableValidation()
            .Describe(nameof(RecordResults), "Record results", "A batch of up to 1,000 result rows across activities of the outcome, recorded all or nothing: a rejected batch names every bad row and field (`rows[17].cost.currency`) and stores nothing. A row whose sourceRef was already recorded for its activity is answered as a duplicate and not counted; a row with `corrects` supersedes an earlier one (kept in history). Money is in the outcome's currency; inconsistent counts (more conversions than responses) are accepted with a warning. Needs no plan or outcome version; accepts Idempotency-Key. Orchestrators and agencies record their own disciplines' results.");
        outcome.MapGet("/results", List).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(ListResults), "List results", "The outcome's recorded rows, oldest first; filter by activity, batch and period; cursor-paginated. Corrected rows stay, with `supersededBy`.");
        outcome.MapGet("/measures", OutcomeMeasures).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetOutcomeMeasures), "Get an outcome's measures", "Totals, response and conversion rates, cost per response and per conversion, ROI, and spend against the planned budget, for the outcome, each discipline and each plan. Ratios with a zero denominator are null with the reason. From running totals: a batch shows at once.");
        outcome.MapPost("/kpis/{key}/observations", Observe).RequireAuthorization(Policies.ManageOutcomes).Problems(409, 422)
            .Describe(nameof(ObserveKpi), "Record a KPI observation", "The conductor records the value an observed KPI had at a moment (default now), optionally attributed to an activity. An append, not an edit: no If-Match; accepts Idempotency-Key. Derived KPIs move with results or their segment instead (409).");
        outcome.MapGet("/kpis/{key}/observations", Observations).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(ListKpiObservations), "List a KPI's observations", "In the order they were recorded; cursor-paginated.");
        outcome.MapGet("/kpis/{key}/observations/{observationId:guid}", Observation).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetKpiObservation), "Get a KPI observation", "One recorded observation.");
        outcome.MapGet("/kpi-progress", Progress).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetKpiProgress), "Get the outcome's KPI progress", "Each KPI's current value (latest observation, or derived from results or a segment), progress = (current − baseline) / (target − baseline) as is and clamped for display, the trend of its observations, and its pace: progress against the share of the outcome's window elapsed (ahead or behind by more than 5 points).");
        outcome.MapGet("/activities/{activityId:guid}/measures", ActivityMeasures).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetActivityMeasures), "Get an activity's measures", "The activity's totals and ratios, and its cost against its budget.");
    }

    private static async Task<Created<ResultBatch>> Record(
        [Description("The outcome's id.")] Guid outcomeId, RecordResultsRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var batch = await mediator.Send(new RecordResults(outcomeId, request, Caller.From(user), Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/outcomes/{outcomeId}/results?batchId={batch.BatchId}", batch);
    }

    // A key of the wrong shape is a KPI not found (404), as before: the attributes state the shape in the contract only.
    private static async Task<Created<KpiObservation>> Observe(
        [Description("The outcome's id.")] Guid outcomeId, [Description("The KPI's key within the outcome, e.g. `clv`."), MaxLength(64), RegularExpression(Kpi.KeyPattern), SkipValidation] string key, ObserveKpiRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var observation = await mediator.Send(new ObserveKpi(outcomeId, key, request, Caller.From(user).Name, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/outcomes/{outcomeId}/kpis/{Uri.EscapeDataString(key)}/observations/{observation.Id}", observation);
    }

    private static Task<KpiObservation> Observation([Description("The outcome's id.")] Guid outcomeId, [Description("The KPI's key within the outcome, e.g. `clv`."), MaxLength(64), RegularExpression(Kpi.KeyPattern), SkipValidation] string key, [Description("The observation's id.")] Guid observationId, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetKpiObservation(outcomeId, key, observationId), ct);

    private static Task<Page<KpiObservation>> Observations([Description("The outcome's id.")] Guid outcomeId, [Description("The KPI's key within the outcome, e.g. `clv`."), MaxLength(64), RegularExpression(Kpi.KeyPattern), SkipValidation] string key, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListKpiObservations(outcomeId, key, page), ct);

    private static Task<KpiProgress> Progress([Description("The outcome's id.")] Guid outcomeId, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetKpiProgress(outcomeId), ct);

    private static Task<Page<ResultDetails>> List([Description("The outcome's id.")] Guid outcomeId, [AsParameters] ResultFilter filter, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListResults(outcomeId, filter, page), ct);

    private static Task<OutcomeMeasures> OutcomeMeasures([Description("The outcome's id.")] Guid outcomeId, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetOutcomeMeasures(outcomeId), ct);

    private static Task<ActivityMeasures> ActivityMeasures([Description("The outcome's id.")] Guid outcomeId, [Description("The activity's id; it must belong to the plan (or outcome) in the path.")] Guid activityId, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetActivityMeasures(outcomeId, activityId), ct);
}
