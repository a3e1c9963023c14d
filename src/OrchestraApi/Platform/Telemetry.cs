using System.Diagnostics;
using System.Diagnostics.Metrics;
using JasperFx.Events.Daemon;
using Marten;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrchestraApi.Platform;

/// <summary>
/// What operators watch (decision 24): the API's own metrics under the meter <c>OrchestraApi</c> — commands by type and
/// how they ended, problems by status and rule, the daemon's lag per shard it runs here, live streams open — beside
/// ASP.NET Core's, HttpClient's, Npgsql's, Marten's and the runtime's. Exported by OTLP only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured (an environment variable or a setting; the OpenTelemetry SDK's
/// other <c>OTEL_*</c> settings apply); without it nothing is collected beyond the counters themselves.
/// </summary>
public sealed class Telemetry
{
    public const string Name = "OrchestraApi";

    /// <summary>The standard OpenTelemetry setting naming the collector; telemetry is exported only when it is set.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Spans of commands (one per command, under its request's span).</summary>
    public static readonly ActivitySource Commands = new(Name);

    private readonly Counter<long> _commands;
    private readonly Histogram<double> _commandDuration;
    private readonly Counter<long> _problems;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _runAlone;

    public Telemetry(IMeterFactory meters, IServiceProvider services)
    {
        var meter = meters.Create(Name);
        _commands = meter.CreateCounter<long>("orchestra.commands", "{command}", "Commands handled, by command type and how they ended (succeeded, replayed from an Idempotency-Key, failed with error.type).");
        _commandDuration = meter.CreateHistogram<double>("orchestra.command.duration", "s", "How long commands took, from the handler's load to the commit, by command type.");
        _problems = meter.CreateCounter<long>("orchestra.problems", "{problem}", "Problem documents answered, by HTTP status and, for a broken rule (409), the rule.");
        _batchSize = meter.CreateHistogram<int>("orchestra.commit.batch_size", "{command}", "Commands committed together in one transaction (group commit), per saved batch.");
        _runAlone = meter.CreateCounter<long>("orchestra.commit.run_alone", "{command}", "Commands of a batch that ran again alone, by reason: held (an earlier command of the batch held a stream it needed), key (a retry of a key already in the batch), settle (a keyed command that failed a rule, run again to find a retry's answer), discarded (the batch's session was discarded) or save (the batch failed to save).");
        meter.CreateObservableGauge("orchestra.daemon.lag", () => DaemonLag(services), "{event}", "Per async shard this node runs: how many event sequences it is behind the high-water mark.");
        meter.CreateObservableUpDownCounter("orchestra.live_streams.open", () => services.GetRequiredService<Status.StatusFeed>().OpenStreams + services.GetRequiredService<Feed.FeedSignals>().OpenStreams, "{stream}", "Live streams (status and feed) open on this node.");
    }

    /// <summary>A command ended: <paramref name="ending"/> is <c>succeeded</c>, <c>replayed</c> or <c>failed</c>.</summary>
    public void CommandEnded(string command, string ending, Exception? error, TimeSpan took)
    {
        var tags = new TagList { { "command", command }, { "outcome", ending } };
        if (error is not null)
        {
            tags.Add("error.type", error.GetType().Name);
        }

        _commands.Add(1, tags);
        _commandDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("command", command));
    }

    public void BatchCommitted(int size) => _batchSize.Record(size);

    public void RanAlone(string reason, int count) => _runAlone.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void ProblemAnswered(int status, string? rule) =>
        _problems.Add(1, new KeyValuePair<string, object?>("http.response.status_code", status), new KeyValuePair<string, object?>("rule", rule ?? ""));

    /// <summary>The id of the trace this request belongs to (32 hex digits, as every tracing system shows it).</summary>
    public static string TraceId(HttpContext http) =>
        Activity.Current is { } activity ? activity.TraceId.ToHexString() : http.TraceIdentifier;

    private static IEnumerable<Measurement<long>> DaemonLag(IServiceProvider services)
    {
        if (services.GetService<IProjectionCoordinator>() is not { } coordinator)
        {
            return [];
        }

        var daemon = coordinator.DaemonForMainDatabase();
        var highWater = daemon.Tracker.HighWaterMark;
        var here = daemon.CurrentAgents().Select(a => a.Name.Identity).ToHashSet(StringComparer.Ordinal);
        return [.. daemon.Tracker.CurrentStates()
            .Where(s => here.Contains(s.ShardName))
            .Select(s => new Measurement<long>(Math.Max(0, highWater - s.Sequence), new KeyValuePair<string, object?>("shard", s.ShardName)))];
    }
}

public static class TelemetrySetup
{
    public static IServiceCollection AddOrchestraTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<Telemetry>();
        // Every log line written during a request carries its trace's id (in the JSON logs' scopes).
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (string.IsNullOrWhiteSpace(configuration[Telemetry.OtlpEndpointSetting]))
        {
            return services;
        }

        // Marten's spans for each connection it opens and the events it appends (its daemon's spans and metrics come anyway).
        services.ConfigureMarten(marten =>
        {
            marten.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
            marten.OpenTelemetry.TrackEventCounters();
        });
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(Telemetry.Name, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddSource("Npgsql", "Marten", Telemetry.Name))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Npgsql", "Marten", Telemetry.Name))
            .UseOtlpExporter();
        return services;
    }
}
