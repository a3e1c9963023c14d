using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Validation;
using Microsoft.OpenApi;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

public static class StatusEndpoints
{
    private const string AsOf = "A past moment (ISO 8601 date-time with offset, e.g. 2026-03-01T12:00:00Z): the answer as it was then, from the events recorded up to it. Omit for now; a future moment is a 400.";
    private const string Since = "The earlier moment (ISO 8601 date-time with offset); not after `until`, not in the future.";
    private const string Until = "The later moment (ISO 8601 date-time with offset); omit for now.";
    private const string LastEventId = "The `id` of the last status event you received (from this call or the live stream); omit it for a snapshot. Anything else is a 400.";

    public static void AddStatusPolicy(this StoreOptions marten) =>
        marten.Projections.Add(new FoldProjection<StatusPolicy>(), JasperFx.Events.Projections.ProjectionLifecycle.Inline);

    public static IServiceCollection AddStatus(this IServiceCollection services)
    {
        services.AddSingleton<OutcomeChanges>();
        services.AddSingleton<ICommitObserver>(provider => provider.GetRequiredService<OutcomeChanges>());
        services.AddSingleton<INodeNotifications>(provider => provider.GetRequiredService<OutcomeChanges>());
        if (!Database.IsGeneratingOpenApiDocument)
        {
            services.AddHostedService<OutcomeEventIndex>();
        }

        return services
            .AddSingleton<PortfolioIndex>()
            .AddSingleton<StatusFeed>()
            .AddHostedService(provider => provider.GetRequiredService<StatusFeed>());
    }

    public static void MapStatus(this IEndpointRouteBuilder app)
    {
        var policy = app.MapGroup("/status-policy").WithTags("Status").Problems(400, 401, 403, 429, 503).RequireAuthorization(Policies.ReadOrganisation);
        policy.MapGet("/", (IMediator mediator, HttpContext http, CancellationToken ct) => mediator.ReadVersionedAsync(new GetStatusPolicy(), http, ct))
            .Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(GetStatusPolicy), "Get the status policy", "The thresholds of the organisation's status rules: how many points behind pace a KPI makes an outcome amber (`behindPoints`, also the band within which a KPI is on pace) and red (`farBehindPoints`), and how many days a connection may wait for acknowledgement (`acknowledgementDays`). An organisation that never changed them has the defaults (5, 15, 3) as version 1. The ETag (and `version`) is what If-Match needs to revise it. Every key of the organisation reads it.");
        policy.MapPatch("/", ([FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, ReviseStatusPolicyRequest request, System.Security.Claims.ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
                mediator.SendVersionedAsync(new ReviseStatusPolicy(Versions.Expected(ifMatch), request, Caller.From(user)), http, ct))
            .RequireAuthorization(Policies.ManageOutcomes).Problems(412, 428)
            .Describe(nameof(ReviseStatusPolicy), "Revise the status policy", "New thresholds (omitted ones stay): `behindPoints` and `farBehindPoints` 0–100 with at most two decimals, `behindPoints` below `farBehindPoints`; `acknowledgementDays` 1–365. Every outcome's status, KPI pace, live status stream and the portfolio follow at once; a status as of an earlier moment keeps the policy that held then. Conductors and admins; If-Match; accepts Idempotency-Key.");

        var outcome = app.MapGroup("/outcomes/{outcomeId:guid}").WithTags("Status").Problems(400, 401, 403, 404, 429, 503).RequireAuthorization(Policies.ReadOrganisation);
        outcome.MapGet("/status", ([Description("The outcome's id.")] Guid outcomeId, [FromQuery, Description(AsOf)] DateTimeOffset? asOf, IMediator mediator, CancellationToken ct) => mediator.Send(new GetOutcomeStatus(outcomeId, asOf), ct))
            .Describe(nameof(GetOutcomeStatus), "Get an outcome's status", $"""
                Where the outcome stands across the four disciplines, in one call — now, or with `asOf` as it was at that moment (built from the events recorded up to it; its KPI pace and overdue acknowledgements are judged on that day). Its state, window, days left, budget and spend; per discipline its live plan's stage (NoPlan, or the plan's status), activities by status, budget planned and spent, conversions, ROI and cost per conversion, and its connections by state; the KPIs with progress and pace; and the RAG with the reasons that produced it, worst first, each naming its rule and what it is about. {RagRules}
                """);
        // The handlers check since and lastEventId in the API's words; the attributes state them in the contract, so the framework does not.
        outcome.MapGet("/status/changes", ([Description("The outcome's id.")] Guid outcomeId, [FromQuery, Description(Since), Required, SkipValidation] DateTimeOffset? since, [FromQuery, Description(Until)] DateTimeOffset? until, IMediator mediator, CancellationToken ct) => mediator.Send(new GetStatusChanges(outcomeId, since, until), ct))
            .Describe(nameof(GetStatusChanges), "Get what changed in an outcome's status", "Between two moments (`since`, and `until` or now): activities added, moved, started, finished, cancelled or rebudgeted; connections added or changed state or conflict; plans that changed stage; KPI progress and spend that moved; and the RAG at both moments with the reasons raised and cleared.");
        outcome.MapGet("/status/stream", ([Description("The outcome's id.")] Guid outcomeId, [FromHeader(Name = WatchOutcomeStatus.LastEventIdHeader)] string? lastEventId, IQuerySession session, StatusFeed feed, HttpContext http) => WatchOutcomeStatus.Handle(outcomeId, lastEventId, session, feed, http))
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .AddOpenApiOperationTransformer(DescribeStream)
            .Describe("OpenOutcomeStatusStream", "Watch an outcome's status live", $"""
                A Server-Sent Events stream (`text/event-stream`) of the outcome's status: first a `Snapshot` (the RAG and its reasons now), then a `Change` each time something changes — a command commits, or time alone moves a rule — saying what changed, with the new RAG and reasons. Every event is `event: status` whose `data` is a `StatusEvent` (JSON: the answer of "Catch up on an outcome's status", `GET …/status/catch-up`) and whose `id` you send back as `Last-Event-ID` when you reconnect: the first event is then a `CatchUp` with everything that changed since that event. Events arrive within a second of the change. The C# SDK's `WatchOutcomeStatusAsync` reads it as an `IAsyncEnumerable<StatusEvent>` and reconnects by itself; a client that falls 256 events behind loses the oldest (each carries the whole RAG). The stream ends when the API shuts down: reconnect with Last-Event-ID. An organisation holds at most 1,000 streams open at once (429 with Retry-After beyond).

                **In Swagger UI** *Execute* keeps the stream open: its events appear as they arrive in a *Live events* panel under the button (newest first; the first is also shown as the response) until you press *Stop*. For one answer instead, use *Catch up on an outcome's status* (`GET /outcomes/{"{outcomeId}"}/status/catch-up`): the same first event, as JSON. {RagRules}
                """);
        outcome.MapGet("/status/catch-up", ([Description("The outcome's id.")] Guid outcomeId, [FromQuery, Description(LastEventId), MaxLength(20), SkipValidation] string? lastEventId, IMediator mediator, CancellationToken ct) => mediator.Send(new CatchUpOutcomeStatus(outcomeId, lastEventId), ct))
            .Describe(nameof(CatchUpOutcomeStatus), "Catch up on an outcome's status", "The live stream's first event as one JSON answer, for clients that cannot keep a stream open (a proxy that buffers Server-Sent Events, a job that runs every few minutes): without `lastEventId` a `Snapshot` (the RAG and its reasons now); with it a `CatchUp` listing what changed since that event. Send its `id` as the next call's `lastEventId`.");
        outcome.MapGet("/timeline", async ([Description("The outcome's id.")] Guid outcomeId, [FromQuery, Description(AsOf)] DateTimeOffset? asOf, IMediator mediator, CancellationToken ct) => TypedResults.Text(await mediator.Send(new GetTimeline(outcomeId, asOf), ct), "image/svg+xml; charset=utf-8"))
            .Produces<string>(StatusCodes.Status200OK, "image/svg+xml")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // Binary in the contract: the SDK hands back the stream (FileResponse) instead of parsing it as JSON.
                var ok = (OpenApiResponse)operation.Responses!["200"];
                ok.Description = "The timeline, an SVG document.";
                ok.Content!["image/svg+xml"].Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", MaxLength = 50_000_000 };
                return Task.CompletedTask;
            })
            .Describe(nameof(GetTimeline), "Get an outcome's timeline as a picture", "An SVG picture (`image/svg+xml`) of the outcome now, or with `asOf` as it was then: the window with its months, a swimlane per discipline, activities as bars coloured by status (planned grey, in progress blue, done green, cancelled light grey), the critical path outlined in black, dependencies (solid) and hand-offs (dashed) as arrows, red when broken or in conflict, today's line in orange and the RAG. Every bar and arrow carries `data-` attributes (activity or connection id, status, state) and a tooltip. Swagger UI shows it in the response panel.");
        app.MapGet("/portfolio", ([AsParameters] PortfolioFilter filter, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) => mediator.Send(new GetPortfolio(filter, page), ct))
            .WithTags("Status").Problems(400, 401, 403, 429, 503).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetPortfolio), "Get the portfolio", $"""
                Every outcome of the organisation with its RAG, the rules behind it, the disciplines with problems and headline figures (window, days left, budget, spend, KPIs behind pace); filter by state, rag, conductor and disciplineWithProblems; order WorstFirst (default), EndingFirst, Title, MostSpent or Newest; cursor-paginated (a cursor belongs to its order). Each outcome is as of its last change, always including your own. {RagRules}
                """);
    }

    /// <summary>The stream's answer: text/event-stream, each event's data a <see cref="StatusEvent"/> (the schema of the catch-up operation's answer).</summary>
    private static async Task DescribeStream(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.Responses ??= [];
        if (operation.Responses.GetValueOrDefault("200") is not OpenApiResponse ok)
        {
            operation.Responses["200"] = ok = new OpenApiResponse();
        }

        ok.Description = "The stream: `event: status`, `id:` and `data:` a StatusEvent as JSON (the schema of Catch up on an outcome's status), one event per change.";
        var json = context.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var data = ContractExamples.For(typeof(StatusEvent), json)!;
        ok.Content = new Dictionary<string, OpenApiMediaType>
        {
            ["text/event-stream"] = new()
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", MaxLength = 1_000_000_000 },
                Example = System.Text.Json.Nodes.JsonValue.Create($"event: status\nid: {data["id"]}\ndata: {data.ToJsonString(json)}\n\n"),
            },
        };
    }

    /// <summary>The RAG rules, as every status operation states them.</summary>
    public const string RagRules = "Rules — red: `spend-over-budget` (the outcome's or a plan's recorded cost above its budget), `critical-connection-broken-or-in-conflict` (a dependency or hand-off touching the critical path is broken or in schedule conflict), `kpi-far-behind-pace` (progress more than 15 points behind the elapsed share of the window); red or amber as the trigger says: `trigger-flag` (a trigger with the `flag` action fired and its condition still holds, until someone dismisses the flag; at most 20 listed); amber: `discipline-without-approved-plan` (an active outcome's discipline with no plan, or one not yet approved), `connection-broken-or-in-conflict` (off the critical path), `acknowledgement-overdue` (a connection waiting more than 3 days), `kpi-behind-pace` (5 to 15 points behind). The 15 and 5 points and the 3 days are the organisation's status policy (`GET /status-policy`; these are the defaults). Green: no reason.";
}
