using System.ComponentModel;
using System.Security.Claims;
using JasperFx.Events.Projections;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Segments;

public static class SegmentsEndpoints
{
    public static void AddSegments(this StoreOptions marten) => marten.Projections.Add(new FoldProjection<Segment>(), ProjectionLifecycle.Inline);

    public static void MapSegments(this IEndpointRouteBuilder app)
    {
        var segments = app.MapGroup("/segments").WithTags("Segments").Problems(400, 401, 403, 429, 503);

        segments.MapPost("/", Define).RequireAuthorization(Policies.ManageOutcomes).Problems(422)
            .Describe(nameof(DefineSegment), "Define a segment", "A customer segment of the organisation with its size, margin per customer per period (m), retention rate (r) and discount rate (d); the API computes its customer lifetime value CLV = m · r / (1 + d − r) and customer equity = CLV × size. Size ≥ 0, d ≥ 0, 0 ≤ r < 1 + d. Conductors and admins; accepts Idempotency-Key.");
        segments.MapGet("/", List).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(ListSegments), "List segments", "The organisation's segments with CLV and equity, oldest first; cursor-paginated.");
        segments.MapGet("/{segmentId:guid}", Get).RequireAuthorization(Policies.ReadOrganisation).Problems(404).Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(GetSegment), "Get a segment", "A segment with its CLV and equity; the ETag (and `version`) is what If-Match needs to revise it.");
        segments.MapPatch("/{segmentId:guid}", Revise).RequireAuthorization(Policies.ManageOutcomes).Problems(404, 412, 428)
            .Describe(nameof(ReviseSegment), "Revise a segment", "New size, margin, retention or discount rate (omitted ones stay); CLV, equity and KPIs derived from them move at once. The history keeps every earlier value.");
        segments.MapGet("/{segmentId:guid}/history", History).RequireAuthorization(Policies.ReadOrganisation).Problems(404)
            .Describe(nameof(GetSegmentHistory), "Get a segment's history", "The segment after each change, oldest first, with its CLV and equity then; cursor-paginated.");
    }

    private static async Task<Created<SegmentDetails>> Define(
        DefineSegmentRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct)
    {
        var segment = await mediator.Send(new DefineSegment(request, Caller.From(user).Name, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/segments/{segment.Id}", segment.WithETag(http));
    }

    private static Task<Page<SegmentDetails>> List([AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) => mediator.Send(new ListSegments(page), ct);

    private static Task<Results<Ok<SegmentDetails>, StatusCodeHttpResult>> Get([Description("The segment's id.")] Guid segmentId, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.ReadVersionedAsync(new GetSegment(segmentId), http, ct);

    private static Task<Ok<SegmentDetails>> Revise([Description("The segment's id.")] Guid segmentId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, ReviseSegmentRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ReviseSegment(segmentId, Versions.Expected(ifMatch), request, Caller.From(user).Name), http, ct);

    private static Task<Page<SegmentChange>> History([Description("The segment's id.")] Guid segmentId, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetSegmentHistory(segmentId, page), ct);
}
