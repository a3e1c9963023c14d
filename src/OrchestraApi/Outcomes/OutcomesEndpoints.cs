using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Validation;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

public static class OutcomesEndpoints
{
    public static void MapOutcomes(this IEndpointRouteBuilder app)
    {
        var outcomes = app.MapGroup("/outcomes").WithTags("Outcomes").Problems(400, 401, 403, 429, 503);

        outcomes.MapPost("/", Define).RequireAuthorization(Policies.ManageOutcomes).Problems(409, 422)
            .Describe(nameof(DefineOutcome), "Define an outcome", "Defines a draft outcome owned by a conductor, with its window, budget, segments and initial KPIs. Accepts Idempotency-Key: a retry with the same key and body returns the first response and defines nothing new.");
        outcomes.MapGet("/", List).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(ListOutcomes), "List outcomes", "The organisation's outcomes, oldest first, filtered by status and conductor; cursor-paginated.");
        outcomes.MapGet("/{outcomeId:guid}", Get).RequireAuthorization(Policies.ReadOrganisation).Problems(404).Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(GetOutcome), "Get an outcome", "An outcome with its KPIs. The ETag header (and `version`) is what If-Match needs for a change.");
        outcomes.MapPatch("/{outcomeId:guid}", Revise).RequireAuthorization(Policies.ManageOutcomes).Problems(404, 409, 412, 428)
            .Describe(nameof(ReviseOutcome), "Revise an outcome", "Changes the title, description, window or budget of an open outcome; omitted fields stay as they are.");
        outcomes.MapPost("/{outcomeId:guid}/kpis", AddKpi).RequireAuthorization(Policies.ManageOutcomes).Problems(404, 409, 412, 422, 428)
            .Describe(nameof(Outcomes.AddKpi), "Add a KPI", "Adds a KPI to an open outcome. Keys are unique per outcome; the target must differ from the baseline in the KPI's direction. Answers 201 with the KPI's Location and the outcome (its new version as ETag). Accepts Idempotency-Key.");
        outcomes.MapGet("/{outcomeId:guid}/kpis/{key}", GetKpi).RequireAuthorization(Policies.ReadOrganisation).Problems(404)
            .Describe(nameof(Outcomes.GetKpi), "Get a KPI", "One KPI of an outcome, by its key.");
        outcomes.MapPatch("/{outcomeId:guid}/kpis/{key}", ReviseKpi).RequireAuthorization(Policies.ManageOutcomes).Problems(404, 409, 412, 428)
            .Describe(nameof(Outcomes.ReviseKpi), "Revise a KPI", "Changes a KPI's name, unit, baseline, target or direction; omitted fields stay as they are.");
        outcomes.MapPost("/{outcomeId:guid}/activate", Activate).RequireAuthorization(Policies.ManageOutcomes).Problems(404, 409, 412, 428)
            .Describe(nameof(ActivateOutcome), "Activate an outcome", "Moves a draft outcome with at least one KPI to active: plans can then be drafted for it.");
        outcomes.MapPost("/{outcomeId:guid}/close", Close).RequireAuthorization(Policies.ManageOutcomes).Problems(404, 409, 412, 428)
            .Describe(nameof(CloseOutcome), "Close an outcome", "Closes an outcome as achieved or missed (if active) or cancelled (draft or active), with a reason. A closed outcome accepts no further change.");
        outcomes.MapGet("/{outcomeId:guid}/history", History).RequireAuthorization(Policies.ReadOrganisation).Problems(404)
            .Describe(nameof(GetOutcomeHistory), "Get an outcome's history", "Every change to the outcome, oldest first: what changed, who did it and when; cursor-paginated.");
        outcomes.MapGet("/kpis", KpiCatalogue).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(ListKpiCatalogue), "List the KPI catalogue", "KPI keys in use across the organisation's outcomes, with how many outcomes use each. Updated asynchronously, within moments of a change.");
    }

    private static async Task<Created<OutcomeDetails>> Define(
        DefineOutcomeRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct)
    {
        var outcome = await mediator.Send(new DefineOutcome(request, Caller.From(user).Name, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/outcomes/{outcome.Id}", outcome.WithETag(http));
    }

    private static Task<Page<OutcomeDetails>> List([AsParameters] OutcomeFilter filter, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListOutcomes(filter, page), ct);

    private static Task<Results<Ok<OutcomeDetails>, StatusCodeHttpResult>> Get([Description("The outcome's id.")] Guid outcomeId, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.ReadVersionedAsync(new GetOutcome(outcomeId), http, ct);

    private static Task<Ok<OutcomeDetails>> Revise([Description("The outcome's id.")] Guid outcomeId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, ReviseOutcomeRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ReviseOutcome(outcomeId, Versions.Expected(ifMatch), request, Caller.From(user).Name), http, ct);

    private static async Task<Created<OutcomeDetails>> AddKpi(
        [Description("The outcome's id.")] Guid outcomeId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, KpiDefinition request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct)
    {
        var outcome = await mediator.Send(new AddKpi(outcomeId, Versions.Expected(ifMatch), request, Caller.From(user).Name, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/outcomes/{outcomeId}/kpis/{Uri.EscapeDataString(request.Key)}", outcome.WithETag(http));
    }

    // A key of the wrong shape is a KPI not found (404), as before: the attributes state the shape in the contract only.
    private static Task<Kpi> GetKpi([Description("The outcome's id.")] Guid outcomeId, [Description("The KPI's key within the outcome, e.g. `clv`."), MaxLength(64), RegularExpression(Kpi.KeyPattern), SkipValidation] string key, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetKpi(outcomeId, key), ct);

    private static Task<Ok<OutcomeDetails>> ReviseKpi([Description("The outcome's id.")] Guid outcomeId, [Description("The KPI's key within the outcome, e.g. `clv`."), MaxLength(64), RegularExpression(Kpi.KeyPattern), SkipValidation] string key, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, ReviseKpiRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ReviseKpi(outcomeId, key, Versions.Expected(ifMatch), request, Caller.From(user).Name), http, ct);

    private static Task<Ok<OutcomeDetails>> Activate([Description("The outcome's id.")] Guid outcomeId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ActivateOutcome(outcomeId, Versions.Expected(ifMatch), Caller.From(user).Name), http, ct);

    private static Task<Ok<OutcomeDetails>> Close([Description("The outcome's id.")] Guid outcomeId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, CloseOutcomeRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new CloseOutcome(outcomeId, Versions.Expected(ifMatch), request, Caller.From(user).Name), http, ct);

    private static Task<Page<OutcomeChange>> History([Description("The outcome's id.")] Guid outcomeId, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetOutcomeHistory(outcomeId, page), ct);

    private static Task<Page<KpiCatalogueEntry>> KpiCatalogue([AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListKpiCatalogue(page), ct);
}
