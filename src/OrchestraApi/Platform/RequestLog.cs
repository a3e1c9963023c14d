using System.Diagnostics;

namespace OrchestraApi.Platform;

/// <summary>
/// One line per request — method, route, status, milliseconds, organisation, trace id — under the category
/// <c>OrchestraApi.Requests</c>: on in Development (appsettings.Development.json), off unless asked for elsewhere.
/// </summary>
public static partial class RequestLog
{
    public const string Category = "OrchestraApi.Requests";

    public static IApplicationBuilder UseRequestLog(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return app;
        }

        return app.Use(async (http, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(http);
            }
            finally
            {
                var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { Length: > 1 } pattern ? pattern.TrimEnd('/') : http.Request.Path.Value ?? "";
                var organisation = http.User.FindFirst(OrchestraClaims.Organisation)?.Value ?? "-";
                Served(logger, http.Request.Method, route, http.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds, organisation, Telemetry.TraceId(http));
            }
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Route} {Status} {Milliseconds:0.0} ms organisation {Organisation} trace {TraceId}")]
    private static partial void Served(ILogger logger, string method, string route, int status, double milliseconds, string organisation, string traceId);
}
