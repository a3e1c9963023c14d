using System.ComponentModel;
using System.Security.Claims;
using JasperFx.Events.Projections;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Triggers;

public static class TriggersEndpoints
{
    private const string Kinds = """
        Condition kinds and their parameters: KpiBehindPace (`points` 0–100, optional `kpi`), KpiProgressCrossed (`kpi`, `progress` percent, optional `direction` Above/Below), ConnectionTrouble (optional `trouble` Conflict/Broken/Either), ActivityMetric (`metric` Roi/CostPerConversion/ConversionRate, `direction`, `value`, optional `minRows`, `minSpend`), SpendOverBudget (`level` Plan/Discipline/Outcome, `percent` 1–10,000), AcknowledgementOverdue (`days` 1–365), ActivityEndedWithoutResults (`days` 0–365), RagAtLeast (`rag` Amber/Red), SegmentValueDrop (`segmentId`, `percent` 1–100, optional `measure` Clv/Equity and `reference`: the value the drop is measured from, by default the segment's value when the trigger is saved); KpiBehindPace also takes `forDays` (1–365): only once the KPI has been that far behind for that many days on end. A parameter another kind takes is a 400. The API evaluates a trigger on every change of an outcome it watches (it fires within seconds of the change that makes the condition true) and as time passes (every 30 s: for conditions that time alone makes true). Each firing is an `orchestra.trigger.fired.v1` event on the feed (and so to webhooks) with its evidence; `orchestra.trigger.cleared.v1` follows when the condition stops holding. Re-arm: UntilCleared (default) fires once per subject until the condition clears; AtMostEvery fires at most once every `hours` while it holds.
        """;

    public static void AddTriggers(this StoreOptions marten)
    {
        marten.Projections.Add(new FoldProjection<Trigger>(), ProjectionLifecycle.Inline);
        marten.Projections.Add(new FoldProjection<TriggerFiring>(), ProjectionLifecycle.Inline);
        marten.Schema.For<TriggerFiring>().Duplicate(f => f.TriggerId).Duplicate(f => f.OutcomeId);
        marten.Schema.For<TriggerMark>();
        marten.Schema.For<TriggerHolding>().Duplicate(h => h.OutcomeId);
    }

    public static IServiceCollection AddTriggers(this IServiceCollection services)
    {
        services.AddOptions<TriggerSettings>().BindConfiguration(TriggerSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TriggerEvaluator>();
        if (!Database.IsGeneratingOpenApiDocument)
        {
            services.AddHostedService(provider => provider.GetRequiredService<TriggerEvaluator>());
        }

        return services;
    }

    public static void MapTriggers(this IEndpointRouteBuilder app)
    {
        var triggers = app.MapGroup("/triggers").WithTags("Triggers").RequireAuthorization(Policies.ReadTriggers).Problems(400, 401, 403, 429, 503);

        triggers.MapPost("/", Define).RequireAuthorization(Policies.ManageOutcomes).Problems(409, 422)
            .Describe(nameof(DefineTrigger), "Define a trigger", $"A business rule the API acts on: a name, a `condition` from a closed grammar (JSON; no expression or code is evaluated), an optional `scope` (outcomes, disciplines, channels), a `rearm` policy and `enabled`. {Kinds} A conductor's trigger names its outcomes (`scope.outcomeIds`); one watching the whole organisation is an admin's. At most 500 per organisation. Conductors and admins; accepts Idempotency-Key.");
        triggers.MapPost("/dry-run", DryRun)
            .Describe(nameof(DryRunTrigger), "Dry-run a trigger", "Replays the organisation's history over a period (at most 366 days) and answers the firings a trigger would have made — a saved one (`triggerId`) or a condition with its scope and re-arm policy — each with its moment (the commit of the change that made the condition true, or the midnight when time alone did), its evidence and when it would have cleared. Every outcome in scope (at most 100) is rebuilt from its events in commit order by the same folds and rules the live evaluator and the status use, so a dry run answers what the trigger would have seen. It changes nothing: no firing, no feed event, no status; a retry simply runs it again. A replay is bounded: moments × the outcome's streams it rebuilds at most 2,000,000 (a 400 naming `from` says how much the period holds; a KPI condition rebuilds two streams). Admins, CMOs and conductors.");
        triggers.MapGet("/", List)
            .Describe(nameof(ListTriggers), "List triggers", "The organisation's triggers, oldest first; filter by `enabled`, condition `kind` and `outcomeId` (the triggers that watch it); cursor-paginated. Admins, CMOs and conductors.");
        triggers.MapGet("/{triggerId:guid}", Get).Problems(404).Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(GetTrigger), "Get a trigger", "A trigger; the ETag (and `version`) is what If-Match needs to revise it, and the version its firings name.");
        triggers.MapPatch("/{triggerId:guid}", Revise).RequireAuthorization(Policies.ManageOutcomes).Problems(404, 412, 428)
            .Describe(nameof(ReviseTrigger), "Revise a trigger", "A new name, description, condition, scope, re-arm policy or `enabled` (omitted ones stay). Firings of the earlier version that are still open are cleared at the next evaluation, and the new version fires afresh where its condition holds. A trigger watching the whole organisation is an admin's to change. The history keeps every version.");
        triggers.MapGet("/{triggerId:guid}/history", History).Problems(404)
            .Describe(nameof(GetTriggerHistory), "Get a trigger's history", "The trigger after each change, oldest first, with who made it; cursor-paginated.");
        triggers.MapGet("/{triggerId:guid}/firings", Firings).Problems(404)
            .Describe(nameof(ListTriggerFirings), "List a trigger's firings", "Each time the trigger fired, oldest first: the rule version, the subject, the evidence, the values evaluated, the feed positions of the changes that caused it, and whether the condition still holds (Open) or has cleared. Filter by `state` and `outcomeId`; cursor-paginated.");
        triggers.MapGet("/{triggerId:guid}/firings/{firingId:guid}", Firing).Problems(404)
            .Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(GetTriggerFiring), "Get a trigger firing", "One firing with its evidence and its flag; the ETag (and `version`) is what If-Match needs to dismiss the flag.");
        triggers.MapPost("/{triggerId:guid}/firings/{firingId:guid}/dismiss-flag", DismissFlag).RequireAuthorization(Policies.ManageOutcomes).Problems(404, 409, 412, 428)
            .Describe(nameof(DismissTriggerFlag), "Dismiss a firing's flag", "Takes the flag a firing raised (its trigger's `flag` action) off the outcome's status, with an optional `note`; the firing stays open while its condition holds, and the trigger fires again for that subject only after the condition clears (or as its re-arm policy says). A flag already gone (the condition cleared, or dismissed) is a 409. Conductors and admins; If-Match of the firing; accepts Idempotency-Key.");
    }

    private static async Task<Created<TriggerDetails>> Define(
        DefineTriggerRequest request, [FromHeader(Name = Idempotency.Header)] string? idempotencyKey, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct)
    {
        var trigger = await mediator.Send(new DefineTrigger(request, Caller.From(user), Idempotency.Key(idempotencyKey)), ct);
        return TypedResults.Created($"/triggers/{trigger.Id}", trigger.WithETag(http));
    }

    private static Task<TriggerDryRun> DryRun(DryRunTriggerRequest request, IMediator mediator, TimeProvider clock, CancellationToken ct) =>
        mediator.Send(new DryRunTrigger(request, clock.GetUtcNow()), ct);

    private static Task<Page<TriggerDetails>> List([AsParameters] TriggerFilter filter, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListTriggers(filter, page), ct);

    private static Task<Results<Ok<TriggerDetails>, StatusCodeHttpResult>> Get([Description("The trigger's id.")] Guid triggerId, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.ReadVersionedAsync(new GetTrigger(triggerId), http, ct);

    private static Task<Ok<TriggerDetails>> Revise(
        [Description("The trigger's id.")] Guid triggerId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, ReviseTriggerRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new ReviseTrigger(triggerId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);

    private static Task<Page<TriggerChange>> History([Description("The trigger's id.")] Guid triggerId, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new GetTriggerHistory(triggerId, page), ct);

    private static Task<Page<TriggerFiringDetails>> Firings(
        [Description("The trigger's id.")] Guid triggerId, [AsParameters] TriggerFiringFilter filter, [AsParameters] PageRequest page, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListTriggerFirings(triggerId, filter, page), ct);

    private static Task<Results<Ok<TriggerFiringDetails>, StatusCodeHttpResult>> Firing(
        [Description("The trigger's id.")] Guid triggerId, [Description("The firing's id.")] Guid firingId, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.ReadVersionedAsync(new GetTriggerFiring(triggerId, firingId), http, ct);

    private static Task<Ok<TriggerFiringDetails>> DismissFlag(
        [Description("The trigger's id.")] Guid triggerId, [Description("The firing's id.")] Guid firingId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch,
        DismissTriggerFlagRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new DismissTriggerFlag(triggerId, firingId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);
}
