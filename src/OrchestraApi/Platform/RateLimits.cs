using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace OrchestraApi.Platform;

/// <summary>
/// Request budgets (configuration section <c>Orchestra:RateLimits</c>). Token buckets refill every second. The
/// defaults stop runaway clients and secret guessing without getting in the way of an agency's batch jobs.
/// </summary>
public sealed class RateLimitSettings
{
    public const string Section = "Orchestra:RateLimits";

    /// <summary>Sustained requests per second of one API key.</summary>
    public int PerKeyPerSecond { get; set; } = 200;

    /// <summary>Requests one key may send at once before the per-second rate applies.</summary>
    public int PerKeyBurst { get; set; } = 1_000;

    /// <summary>Sustained requests per second from one client address, whatever keys it uses.</summary>
    public int PerClientPerSecond { get; set; } = 1_000;

    /// <summary>Burst from one client address.</summary>
    public int PerClientBurst { get; set; } = 4_000;

    /// <summary>Requests per minute from one client address without a key (the OpenAPI document, Swagger UI).</summary>
    public int AnonymousPerMinute { get; set; } = 600;

    /// <summary>Live status streams one organisation may hold open at once (each is a connection and a queue on the server).</summary>
    public int LiveStreamsPerOrganisation { get; set; } = 1_000;

    /// <summary>Requests per minute from one client address whose key failed authentication: guessing is slowed to a crawl.</summary>
    public int FailedAuthenticationPerMinute { get; set; } = 60;
}

/// <summary>
/// Per-key and per-client limits with ASP.NET Core's rate limiter. A key's budget is spent only by requests that
/// authenticated with it, so wrong secrets sent for a key's id spend the sender's small failed-authentication
/// budget, never the key's own. 429 answers are problem documents with Retry-After; every limited answer carries
/// the RateLimit headers of the budget it spent.
/// </summary>
public sealed class RateLimits : IDisposable
{
    private readonly RateLimitSettings _settings;
    private readonly PartitionedRateLimiter<HttpContext> _perClient;
    private readonly PartitionedRateLimiter<HttpContext> _perCaller;

    public RateLimits(IOptions<RateLimitSettings> options)
    {
        _settings = options.Value;
        _perClient = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            RateLimitPartition.GetTokenBucketLimiter(Client(http), _ => Bucket(_settings.PerClientPerSecond, _settings.PerClientBurst)));
        _perCaller = PartitionedRateLimiter.Create<HttpContext, string>(http => Caller(http) switch
        {
            { Kind: "key" } c => RateLimitPartition.GetTokenBucketLimiter(c.Partition, _ => Bucket(_settings.PerKeyPerSecond, _settings.PerKeyBurst)),
            { Kind: "failed" } c => RateLimitPartition.GetFixedWindowLimiter(c.Partition, _ => Window(_settings.FailedAuthenticationPerMinute)),
            var c => RateLimitPartition.GetFixedWindowLimiter(c.Partition, _ => Window(_settings.AnonymousPerMinute)),
        });
        Global = PartitionedRateLimiter.CreateChained(_perClient, _perCaller);
    }

    public PartitionedRateLimiter<HttpContext> Global { get; }

    public void Dispose()
    {
        Global.Dispose();
        _perCaller.Dispose();
        _perClient.Dispose();
    }

    /// <summary>The RateLimit headers (IETF httpapi draft) of the caller's own budget, on the way out.</summary>
    public void AddHeaders(HttpContext http)
    {
        var (limit, window) = Caller(http).Kind switch
        {
            "key" => (_settings.PerKeyBurst, 1),
            "failed" => (_settings.FailedAuthenticationPerMinute, 60),
            _ => (_settings.AnonymousPerMinute, 60),
        };
        var remaining = _perCaller.GetStatistics(http)?.CurrentAvailablePermits ?? 0;
        var headers = http.Response.Headers;
        headers["RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = window.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = $"{limit};w={window}";
    }

    private static string Client(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "local";

    private static (string Kind, string Partition) Caller(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated == true)
        {
            var key = http.User.FindFirstValue(OrchestraClaims.KeyId) ?? http.User.Identity.Name;
            return ("key", $"key:{key}");
        }

        return http.Request.Headers.ContainsKey(ApiKeyAuthentication.Header)
            ? ("failed", $"failed:{Client(http)}")
            : ("anonymous", $"anonymous:{Client(http)}");
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = Math.Max(1, burst),
        TokensPerPeriod = Math.Max(1, perSecond),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static FixedWindowRateLimiterOptions Window(int perMinute) => new()
    {
        PermitLimit = Math.Max(1, perMinute),
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}

public static class RateLimiting
{
    private const double RefillMarginSeconds = 0.25;

    public static IServiceCollection AddOrchestraRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitSettings>().BindConfiguration(RateLimitSettings.Section);
        services.AddSingleton<RateLimits>();
        services.AddOptions<RateLimiterOptions>().Configure<RateLimits>((options, limits) =>
        {
            options.GlobalLimiter = limits.Global;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, ct) =>
            {
                // The limiter's own wait, rounded up with a margin: its buckets refill on a timer tick that can come a
                // little late, and a client that waits exactly the time said must then be served.
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds + RefillMarginSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.WriteProblemAsync(
                    StatusCodes.Status429TooManyRequests, $"This key or client has spent its request budget; retry in {Wording.Count(retryAfter, "second")}.");
            };
        });
        services.AddRateLimiter(_ => { });
        return services;
    }

    /// <summary>After authentication (a key's budget needs the key), before authorization.</summary>
    public static WebApplication UseOrchestraRateLimits(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<RateLimits>();
        app.Use((http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<DisableRateLimitingAttribute>() is null)
            {
                http.Response.OnStarting(() =>
                {
                    limits.AddHeaders(http);
                    return Task.CompletedTask;
                });
            }

            return next(http);
        });
        app.UseRateLimiter();
        return app;
    }
}
