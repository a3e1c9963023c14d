using System.ComponentModel;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Maturity;

public static class MaturityEndpoints
{
    public static IServiceCollection AddMaturity(this IServiceCollection services)
    {
        services.AddOptions<MaturitySettings>().BindConfiguration(MaturitySettings.Section).ValidateDataAnnotations().ValidateOnStart();
        return services.AddScoped<MaturityHistory>();
    }

    public static void MapMaturity(this IEndpointRouteBuilder app) =>
        app.MapGet("/maturity", ([FromQuery, Description("A past moment (ISO 8601 date-time with offset): the stage as the records then showed it, with the trend before it. Omit for now; a future moment is a 400.")] DateTimeOffset? asOf, IMediator mediator, CancellationToken ct) =>
                mediator.Send(new GetMaturity(asOf), ct))
            .WithTags("Maturity").RequireAuthorization(Policies.ReadMaturity).Problems(400, 401, 403, 429, 503)
            .Describe(nameof(GetMaturity), "Get the organisation's maturity stage", """
                Which stage of marketing execution the organisation has reached — NotYetClosedLoop, ClosedLoop, EventDriven, RelationshipDriven — measured from its own records, not a questionnaire. A stage is reached when all its criteria and every earlier stage's are met: stages cannot be skipped. Every criterion comes with its measured value, its threshold, whether it is met and the evidence in a sentence; `next` lists what the next stage is missing. Criterion values with nothing to measure are null and not met.

                Closed loop: `results-coverage` ≥ 80 % of the activities that ended in the last 90 days (not cancelled) have results; `end-to-first-result-days` ≤ 7, the median days from an activity's end to its first result; `kpi-freshness` 100 % of active outcomes have a KPI observed, or derived from results or a segment that moved, in the last 30 days.
                Event-driven: `trigger-coverage` 100 % of active outcomes watched by an enabled trigger; `firings-acted-on` ≥ 50 % of the last 30 days' firings acted on (their task done, their flag dismissed or their condition cleared); `firing-latency-seconds` ≤ 60, the median from the change that caused a firing to the firing; `events-consumed` ≥ 99 % of the last 30 days' webhook deliveries arrived within 7 days, or the feed was read that day or the day before.
                Relationship-driven: `four-disciplines-connected` 100 % of active outcomes have all four disciplines' plans approved (or in execution, or completed), each discipline in an agreed (or met) connection; `acknowledged-in-time` ≥ 90 % of the connections defined in the last 90 days were agreed within 3 days; `result-latency-hours` ≤ 24, the median from the end of the period a result batch measures to its recording; `customer-measure` 100 % of active outcomes have a KPI on a segment's CLV or equity.

                The thresholds are the deployment's (`Orchestra:Maturity`; these are the defaults) and each answer states them. `trend` gives the stage at the start of each of the last 12 months, assessed the same way from the records up to then; `asOf` assesses a past moment. CMOs and admins.
                """);
}
