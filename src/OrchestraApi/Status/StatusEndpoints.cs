using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

public static class StatusEndpoints
{
    public static void MapStatus(this IEndpointRouteBuilder app) =>
        app.MapGet("/outcomes/{outcomeId:guid}/status", (Guid outcomeId, IMediator mediator, CancellationToken ct) => mediator.Send(new GetOutcomeStatus(outcomeId), ct))
            .WithTags("Status").Problems(400, 401, 403, 404, 429, 503).RequireAuthorization(Policies.ReadOrganisation)
            .Describe(nameof(GetOutcomeStatus), "Get an outcome's status", """
                Where the outcome stands across the four disciplines, in one call: its state, window, days left, budget and spend; per discipline its live plan's stage (NoPlan, or the plan's status), activities by status, budget planned and spent, conversions, ROI and cost per conversion, and its connections by state; the KPIs with progress and pace; and the RAG with the reasons that produced it, worst first, each naming its rule and what it is about. Rules — red: `spend-over-budget` (the outcome's or a plan's recorded cost above its budget), `critical-connection-broken-or-in-conflict` (a dependency or hand-off touching the critical path is broken or in schedule conflict), `kpi-far-behind-pace` (progress more than 15 points behind the elapsed share of the window); amber: `discipline-without-approved-plan` (an active outcome's discipline with no plan, or one not yet approved), `connection-broken-or-in-conflict` (off the critical path), `acknowledgement-overdue` (a connection waiting more than 3 days), `kpi-behind-pace` (5 to 15 points behind). Green: no reason.
                """);
}
