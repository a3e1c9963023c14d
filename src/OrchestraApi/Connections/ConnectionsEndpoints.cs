using System.ComponentModel;
using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Kernel;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

public static class ConnectionsEndpoints
{
    private const string IfMatch = Versions.IfMatchHeader;

    public static void MapConnections(this IEndpointRouteBuilder app)
    {
        var outcome = app.MapGroup("/outcomes/{outcomeId:guid}").WithTags("Connections").Problems(400, 401, 403, 404, 429, 503);
        var connections = outcome.MapGroup("/connections");

        connections.MapPost("/", Define).RequireAuthorization(Policies.ManageOutcomes).Problems(409, 422)
            .Describe(nameof(DefineConnection), "Define a connection", "The conductor links an activity (or a whole plan) of one discipline to an activity or plan of another discipline of the same active outcome: a Dependency (finish-to-start, with lagDays), a Handoff (artefact by dueOn), a SharedMessage or a SharedAudience. A dependency that would close a cycle is a 409 naming it. Needs no plan's version; accepts Idempotency-Key; 201 with the connection's Location.");
        connections.MapGet("/", List).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(ListConnections), "List an outcome's connections", "Oldest first; filter by kind, state, discipline, activity (directly or through its plan) and inConflict; cursor-paginated. States and conflicts are derived from the activities' current dates and statuses.");
        connections.MapGet("/{connectionId:guid}", Get).RequireAuthorization(Policies.ReadOrganisation).Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(GetConnection), "Get a connection", "One connection with its state, acknowledgements and schedule conflict. The ETag (and `version`) is the connection's own, for its next change.");
        connections.MapGet("/{connectionId:guid}/history", History).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetConnectionHistory), "Get a connection's history", "Every change to the connection, oldest first: what, who and when; cursor-paginated.");
        connections.MapPatch("/{connectionId:guid}", Revise).RequireAuthorization(Policies.ManageOutcomes).Problems(409, 412, 428)
            .Describe(nameof(ReviseConnection), "Revise a connection", "The conductor changes a live connection's title, rationale, lag, artefact, due date, message or audience; both sides then acknowledge it anew. If-Match is the connection's version.");
        connections.MapPost("/{connectionId:guid}/acknowledge", Acknowledge).RequireAuthorization(Policies.ManagePlans).Problems(409, 412, 428)
            .Describe(nameof(AcknowledgeConnection), "Acknowledge a connection", "A side (its orchestrator, or an agency holding its discipline) acknowledges once; with both sides the connection is Agreed.");
        connections.MapPost("/{connectionId:guid}/contest", Contest).RequireAuthorization(Policies.ManagePlans).Problems(409, 412, 428)
            .Describe(nameof(ContestConnection), "Contest a connection", "A side contests the connection with a reason: it goes back to the conductor to revise or withdraw, and acknowledgements reset.");
        connections.MapPost("/{connectionId:guid}/withdraw", Withdraw).RequireAuthorization(Policies.ManageOutcomes).Problems(409, 412, 428)
            .Describe(nameof(WithdrawConnection), "Withdraw a connection", "The conductor takes back a connection that is not final, with a reason.");
        connections.MapPost("/{connectionId:guid}/met", Met).RequireAuthorization(Policies.ReadOrganisation).Problems(409, 412, 428)
            .Describe(nameof(MarkConnectionMet), "Mark a connection met", "The delivering side (`from`) or the conductor records that an agreed connection was kept: hand-off delivered, dependency honoured.");
        connections.MapPost("/{connectionId:guid}/broken", Broken).RequireAuthorization(Policies.ReadOrganisation).Problems(409, 412, 428)
            .Describe(nameof(MarkConnectionBroken), "Mark a connection broken", "The delivering side or the conductor records that a live connection was not kept, with the reason.");

        outcome.MapGet("/activities/{activityId:guid}/impact", Impact).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(AnalyseImpact), "Analyse the impact of a slip", "If the activity slips by slipDays (or is cancelled), what is hit: every downstream activity through dependencies, transitively, grouped by discipline, with its new earliest start and how many days it moves; the connections that would then conflict (or break); and the KPIs involved.");
        outcome.MapGet("/critical-path", CriticalPath).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetCriticalPath), "Get the critical path", "The longest chain of dependencies across disciplines by duration (with lags), its start, end and span, and every activity's earliest and latest start and finish and its slack (CPM on whole days; an activity never starts before its own start date).");
    }

    private static async Task<Created<ConnectionDetails>> Define(
        [Description("The outcome's id.")] Guid outcomeId, DefineConnectionRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct)
    {
        var connection = await mediator.Send(new DefineConnection(outcomeId, request, Caller.From(user).Name, Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/outcomes/{outcomeId}/connections/{connection.Id}", connection.WithETag(http));
    }

    private static Task<Page<ConnectionDetails>> List([Description("The outcome's id.")] Guid outcomeId, [AsParameters] ConnectionFilter filter, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListConnections(outcomeId, filter, page), ct);

    private static Task<Results<Ok<ConnectionDetails>, StatusCodeHttpResult>> Get([Description("The outcome's id.")] Guid outcomeId, [Description("The connection's id.")] Guid connectionId, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.ReadVersionedAsync(new GetConnection(outcomeId, connectionId), http, ct);

    private static Task<Page<ConnectionChange>> History([Description("The outcome's id.")] Guid outcomeId, [Description("The connection's id.")] Guid connectionId, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetConnectionHistory(outcomeId, connectionId, page), ct);

    private static Task<Ok<ConnectionDetails>> Revise([Description("The outcome's id.")] Guid outcomeId, [Description("The connection's id.")] Guid connectionId, [FromHeader(Name = IfMatch)] string? ifMatch, ReviseConnectionRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ReviseConnection(outcomeId, connectionId, Versions.Expected(ifMatch), request, Caller.From(user).Name), http, ct);

    private static Task<Ok<ConnectionDetails>> Acknowledge([Description("The outcome's id.")] Guid outcomeId, [Description("The connection's id.")] Guid connectionId, [FromHeader(Name = IfMatch)] string? ifMatch, AcknowledgeConnectionRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new AcknowledgeConnection(outcomeId, connectionId, Versions.Expected(ifMatch), request.Discipline, Caller.From(user)), http, ct);

    private static Task<Ok<ConnectionDetails>> Contest([Description("The outcome's id.")] Guid outcomeId, [Description("The connection's id.")] Guid connectionId, [FromHeader(Name = IfMatch)] string? ifMatch, ContestConnectionRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ContestConnection(outcomeId, connectionId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);

    private static Task<Ok<ConnectionDetails>> Withdraw([Description("The outcome's id.")] Guid outcomeId, [Description("The connection's id.")] Guid connectionId, [FromHeader(Name = IfMatch)] string? ifMatch, CancelRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new WithdrawConnection(outcomeId, connectionId, Versions.Expected(ifMatch), request, Caller.From(user).Name), http, ct);

    private static Task<Ok<ConnectionDetails>> Met([Description("The outcome's id.")] Guid outcomeId, [Description("The connection's id.")] Guid connectionId, [FromHeader(Name = IfMatch)] string? ifMatch, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new MarkConnectionMet(outcomeId, connectionId, Versions.Expected(ifMatch), Caller.From(user)), http, ct);

    private static Task<Ok<ConnectionDetails>> Broken([Description("The outcome's id.")] Guid outcomeId, [Description("The connection's id.")] Guid connectionId, [FromHeader(Name = IfMatch)] string? ifMatch, CancelRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new MarkConnectionBroken(outcomeId, connectionId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);

    private static Task<Impact> Impact([Description("The outcome's id.")] Guid outcomeId, [Description("The activity's id; it must belong to the plan (or outcome) in the path.")] Guid activityId, [AsParameters] ImpactQuery query, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new AnalyseImpact(outcomeId, activityId, query), ct);

    private static Task<CriticalPath> CriticalPath([Description("The outcome's id.")] Guid outcomeId, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetCriticalPath(outcomeId), ct);
}
