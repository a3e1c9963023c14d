using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrchestraApi.Platform;

/// <summary>/health/live: the process answers. /health/ready: PostgreSQL answers and the projection daemon runs.</summary>
public static class Health
{
    public static IServiceCollection AddOrchestraHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<PostgresCheck>("postgresql", tags: ["ready"])
            .AddCheck<DaemonCheck>("projection-daemon", tags: ["ready"]);
        return services;
    }

    public static void MapOrchestraHealth(this IEndpointRouteBuilder app)
    {
        // Load balancers poll these: never rate-limited.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous().DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync }).AllowAnonymous().DisableRateLimiting();
    }

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

    private sealed class DaemonCheck(IProjectionCoordinator coordinator) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(coordinator.DaemonForMainDatabase().IsRunning
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The projection daemon is not running."));
    }
}
