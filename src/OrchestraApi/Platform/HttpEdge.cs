using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace OrchestraApi.Platform;

/// <summary>
/// What every answer carries — headers that keep tenant data out of caches and content sniffing, and content security
/// policies for the page and pictures a browser shows — and the size limits of a request, answered as problem
/// documents. Kestrel's own limits sit at twice ours, so that requests between the two get a problem document from
/// here; beyond Kestrel's, it answers itself, with the same status and no body.
/// </summary>
public static class HttpEdge
{
    /// <summary>Longest path and query string, in characters.</summary>
    public const int MaxUrlLength = 8 * 1024;

    /// <summary>Most header bytes (names and values) of a request.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    /// <summary>Largest request body: a 1,000-row batch of results is the largest legitimate one (~1 KB a row).</summary>
    public const long DefaultMaxBodyBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Swagger UI's page: its own scripts and styles only (no eval, no inline script), inline styles it sets, the
    /// pictures it draws from answers (blob:) and its icons (data:); never framed, so it cannot be clickjacked.
    /// </summary>
    public const string SwaggerUiPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>An SVG opened on its own is a document that could run script: ours never does, and may not.</summary>
    public const string PicturePolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

    /// <summary>
    /// Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (comma-separated addresses): behind a load
    /// balancer, a client's address is its own, not the balancer's — for its rate limits and the logs. Loopback is always
    /// believed (a proxy on the same host, as in the loopback cluster); no other address is unless named here.
    /// </summary>
    public const string KnownProxiesSetting = "Orchestra:KnownProxies";

    public static IServiceCollection AddOrchestraEdge(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in (configuration[KnownProxiesSetting] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });
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

    /// <summary>First of all: the headers every answer carries, whoever writes it.</summary>
    public static WebApplication UseOrchestraEdge(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                // The id a problem names as traceId, on every answer, so a success can be reported too.
                headers["Trace-Id"] = Telemetry.TraceId(http);
                if (http.Request.Path.StartsWithSegments("/swagger", StringComparison.Ordinal))
                {
                    headers.ContentSecurityPolicy = SwaggerUiPolicy;
                    headers["Referrer-Policy"] = "no-referrer";
                }
                else
                {
                    headers.CacheControl = "no-store";
                }

                if (http.Response.ContentType?.StartsWith("image/svg+xml", StringComparison.OrdinalIgnoreCase) == true)
                {
                    headers.ContentSecurityPolicy = PicturePolicy;
                }

                return Task.CompletedTask;
            });
            return next(http);
        });
        return app;
    }

    /// <summary>
    /// After the rate limits, so a refused request spends the caller's budget and its problem carries the RateLimit
    /// headers the contract declares on every 4xx.
    /// </summary>
    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        var maxBody = app.Configuration.GetValue("Orchestra:MaxRequestBodyBytes", DefaultMaxBodyBytes);
        app.Use(async (http, next) =>
        {
            var request = http.Request;
            if (request.Path.Value?.Length + request.QueryString.Value?.Length > MaxUrlLength)
            {
                await http.WriteProblemAsync(StatusCodes.Status414UriTooLong, $"Path and query string may have at most {Wording.Count(MaxUrlLength, "character")}.");
            }
            else if (request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => v?.Length ?? 0)) > MaxHeaderBytes)
            {
                await http.WriteProblemAsync(StatusCodes.Status431RequestHeaderFieldsTooLarge, $"Headers may have at most {Wording.Count(MaxHeaderBytes, "byte")} in all.");
            }
            else if (request.ContentLength > maxBody)
            {
                // The unread body is still on the wire: close the connection rather than read it.
                http.Response.Headers.Connection = "close";
                await http.WriteProblemAsync(StatusCodes.Status413PayloadTooLarge, $"A request body may have at most {Wording.Count(maxBody, "byte")}.");
            }
            else
            {
                await next(http);
            }
        });
        return app;
    }
}
