using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrchestraApi.Platform;

/// <summary>
/// /health/live: the process answers. /health/ready: this node can serve requests (PostgreSQL answers), whether or not
/// it leads the projections. /health/daemon (the platform's admin key): what the async daemon on this node is doing.
/// </summary>
public static class Health
{
    public static IServiceCollection AddOrchestraHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<PostgresCheck>("postgresql", tags: ["ready"]);
        return services;
    }

    public static void MapOrchestraHealth(this IEndpointRouteBuilder app)
    {
        // Load balancers poll these: never rate-limited.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous().DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync }).AllowAnonymous().DisableRateLimiting();
        app.MapGet("/health/daemon", DaemonAsync).RequireAuthorization(Policies.PlatformAdmin).DisableRateLimiting().ExcludeFromDescription();
    }

    /// <summary>
    /// The daemon on this node: its mode, whether it leads (runs shards here), the shards it runs, and every async
    /// shard's progress and lag behind the high-water mark (the highest sequence below which every event is committed).
    /// </summary>
    private static async Task<DaemonReport> DaemonAsync([FromServices] IProjectionCoordinator coordinator, [FromServices] IDocumentStore store, [FromServices] Database.DaemonSetup setup, CancellationToken ct)
    {
        var daemon = coordinator.DaemonForMainDatabase();
        var progress = (await store.Storage.Database.AllProjectionProgress(ct)).ToDictionary(p => p.ShardName, p => p.Sequence, StringComparer.Ordinal);
        var highWater = progress.GetValueOrDefault(HighWaterMark);
        // Every async shard the API declares, with the progress it committed (none yet: 0).
        var shards = ((DocumentStore)store).Options.Projections.AllShards().Select(s => s.Name.Identity)
            .Concat(progress.Keys.Where(k => k != HighWaterMark)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new DaemonReport(
            setup.Mode.ToString(),
            daemon.IsRunning,
            highWater,
            [.. daemon.CurrentAgents().Select(a => a.Name.Identity).Order(StringComparer.Ordinal)],
            [.. shards.Select(name => new ShardProgress(name, progress.GetValueOrDefault(name), Math.Max(0, highWater - progress.GetValueOrDefault(name))))]);
    }

    private const string HighWaterMark = "HighWaterMark";

    /// <summary>What /health/daemon answers.</summary>
    /// <param name="Mode">Solo (this process runs every shard) or HotCold (the node that holds a shard's lock runs it).</param>
    /// <param name="Leads">True when this node runs shards now.</param>
    /// <param name="HighWaterMark">The sequence below which every event is committed.</param>
    /// <param name="RunningHere">The shards this node runs.</param>
    /// <param name="Shards">Every async shard the API declares, with its committed progress (whichever node runs it; 0 before its first) and its lag behind the high-water mark.</param>
    public sealed record DaemonReport(string Mode, bool Leads, long HighWaterMark, IReadOnlyList<string> RunningHere, IReadOnlyList<ShardProgress> Shards);

    /// <summary>One shard's progress: the last sequence it has processed, and how many sequences it is behind.</summary>
    public sealed record ShardProgress(string Name, long Sequence, long Lag);

    /// <summary>Ready: <c>Healthy</c> as text. Not ready: a 503 problem document naming each failing check, with Retry-After.</summary>
    private static async Task WriteReadinessAsync(HttpContext http, HealthReport report)
    {
        if (report.Status == HealthStatus.Healthy)
        {
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync(report.Status.ToString());
            return;
        }

        http.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).ToDictionary(e => e.Key, e => e.Value.Description ?? e.Value.Status.ToString());
        await http.WriteProblemAsync(StatusCodes.Status503ServiceUnavailable, string.Join(" ", failing.Values), new Dictionary<string, object?> { ["checks"] = failing });
    }

    private sealed class PostgresCheck(IDocumentStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = store.Storage.Database.CreateConnection();
                await connection.OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL is unreachable.", e);
            }
        }
    }
}
