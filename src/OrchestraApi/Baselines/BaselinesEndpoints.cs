using System.ComponentModel;
using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Baselines;

public static class BaselinesEndpoints
{
    public static void MapBaselines(this IEndpointRouteBuilder app)
    {
        var baselines = app.MapGroup("/outcomes/{outcomeId:guid}/baselines").WithTags("Baselines").Problems(400, 401, 403, 404, 429, 503);
        baselines.MapPost("/", Save).RequireAuthorization(Policies.ManageOutcomes).Problems(409, 422)
            .Describe(nameof(SaveBaseline), "Save a baseline", "The conductor names the outcome's status as it is now (e.g. the board-approved plan), to compare against later. Names are unique within the outcome, case ignored (409 `baseline-name-unique`). A baseline is the moment and its RAG; the status then is rebuilt from the events, so it never drifts. Accepts Idempotency-Key; 201 with its Location.");
        baselines.MapGet("/", List).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(ListBaselines), "List an outcome's baselines", "Oldest first; cursor-paginated.");
        baselines.MapGet("/{baselineId:guid}", Get).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetBaseline), "Get a baseline", "The baseline's name, note, moment and the RAG then. Its full status then is `GET /outcomes/{outcomeId}/status?asOf=` with its `takenAt`.");
        baselines.MapGet("/{baselineId:guid}/variance", Variance).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetBaselineVariance), "Get the variance against a baseline", "The outcome now against the baseline: RAG then and now; the window's end and budget; per discipline the plan's budget, planned and spent then and now; every activity that moved (days its start and end shifted), changed status or budget, or is new since; and each KPI's progress then and now with the points it moved.");
    }

    private static async Task<Created<BaselineDetails>> Save(
        [Description("The outcome's id.")] Guid outcomeId, SaveBaselineRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, CancellationToken ct)
    {
        var baseline = await mediator.Send(new SaveBaseline(outcomeId, request, Caller.From(user).Name, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/outcomes/{outcomeId}/baselines/{baseline.Id}", baseline);
    }

    private static Task<Page<BaselineDetails>> List([Description("The outcome's id.")] Guid outcomeId, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListBaselines(outcomeId, page), ct);

    private static Task<BaselineDetails> Get([Description("The outcome's id.")] Guid outcomeId, [Description("The baseline's id.")] Guid baselineId, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetBaseline(outcomeId, baselineId), ct);

    private static Task<BaselineVariance> Variance([Description("The outcome's id.")] Guid outcomeId, [Description("The baseline's id.")] Guid baselineId, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetBaselineVariance(outcomeId, baselineId), ct);
}
