using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrchestraApi.Platform;

/// <summary>
/// What every request meets first: size limits answered as problem documents, and headers that keep tenant data out
/// of caches and content sniffing. Kestrel's own limits sit at twice ours, so that requests between the two get a
/// problem document from here; beyond Kestrel's, it answers itself, without a body.
/// </summary>
public static class HttpEdge
{
    /// <summary>Longest path and query string, in characters.</summary>
    public const int MaxUrlLength = 8 * 1024;

    /// <summary>Most header bytes (names and values) of a request.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Largest request body: a 1,000-row batch of results is the largest legitimate one (~1 KB a row).</summary>
    public const long DefaultMaxBodyBytes = 2 * 1024 * 1024;

    public static IServiceCollection AddOrchestraEdge(this IServiceCollection services, IConfiguration configuration)
    {
        var maxBody = configuration.GetValue("Orchestra:MaxRequestBodyBytes", DefaultMaxBodyBytes);
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxBody;
            kestrel.Limits.MaxRequestLineSize = 2 * MaxUrlLength;
            kestrel.Limits.MaxRequestHeadersTotalSize = 2 * MaxHeaderBytes;
        });
        return services;
    }

    public static WebApplication UseOrchestraEdge(this WebApplication app)
    {
        var maxBody = app.Configuration.GetValue("Orchestra:MaxRequestBodyBytes", DefaultMaxBodyBytes);
        app.Use(async (http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.XContentTypeOptions = "nosniff";
                // The id a problem names as traceId, on every answer, so a success can be reported too.
                http.Response.Headers["Trace-Id"] = System.Diagnostics.Activity.Current?.Id ?? http.TraceIdentifier;
                if (!http.Request.Path.StartsWithSegments("/swagger", StringComparison.Ordinal))
                {
                    http.Response.Headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });

            var request = http.Request;
            if (request.Path.Value?.Length + request.QueryString.Value?.Length > MaxUrlLength)
            {
                await http.WriteProblemAsync(StatusCodes.Status414UriTooLong, "URL too long", $"Path and query string may have at most {MaxUrlLength} characters.");
            }
            else if (request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => v?.Length ?? 0)) > MaxHeaderBytes)
            {
                await http.WriteProblemAsync(StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request headers too large", $"Headers may have at most {MaxHeaderBytes} bytes in all.");
            }
            else if (request.ContentLength > maxBody)
            {
                // The unread body is still on the wire: close the connection rather than read it.
                http.Response.Headers.Connection = "close";
                await http.WriteProblemAsync(StatusCodes.Status413PayloadTooLarge, "Request body too large", $"A request body may have at most {maxBody} bytes.");
            }
            else
            {
                await next(http);
            }
        });
        return app;
    }
}
