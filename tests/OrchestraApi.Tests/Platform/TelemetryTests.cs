using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Platform;

/// <summary>Telemetry for operators (issue 20): the API's own metrics, the trace id in problems, OTLP export when configured.</summary>
public sealed class TelemetryTests(ApiFixture api) : ApiTest(api)
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string TraceParent = "00-" + TraceId + "-00f067aa0ba902b7-01";

    [Fact]
    public async Task commands_are_counted_by_type_and_ending_and_problems_by_status_and_rule_and_a_problem_names_the_callers_trace()
    {
        await using var fresh = await Api.StartFreshApiAsync();
        using var measured = new Measurements(fresh, "orchestra.commands", "orchestra.problems");
        var organisation = await fresh.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var outcomes = fresh.Outcomes(key);

        var defined = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(), "telemetry-1");
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(), "telemetry-1");
        var refused = await Assert.ThrowsAsync<ApiException<Problem>>(() => outcomes.ActivateOutcomeAsync(defined.Id, defined.Version));
        using var http = fresh.Http(key);
        using var missing = new HttpRequestMessage(HttpMethod.Get, $"/outcomes/{Guid.NewGuid()}");
        missing.Headers.Add("traceparent", TraceParent);
        using var notFound = await http.SendAsync(missing);
        var problem = JsonDocument.Parse(await notFound.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(TraceId, problem.GetProperty("traceId").GetString());
        Assert.Equal(TraceId, notFound.Headers.GetValues("Trace-Id").Single());
        Assert.Equal(409, refused.StatusCode);
        Assert.Equal("active-outcome-needs-kpi", refused.Result.Rule);
        Assert.Equal(1, measured.Sum("orchestra.commands", ("command", "DefineOutcome"), ("outcome", "succeeded")));
        Assert.Equal(1, measured.Sum("orchestra.commands", ("command", "DefineOutcome"), ("outcome", "replayed")));
        Assert.Equal(1, measured.Sum("orchestra.commands", ("command", "ActivateOutcome"), ("outcome", "failed"), ("error.type", "RuleViolationException")));
        Assert.Equal(1, measured.Sum("orchestra.problems", ("http.response.status_code", 409), ("rule", "active-outcome-needs-kpi")));
        Assert.Equal(1, measured.Sum("orchestra.problems", ("http.response.status_code", 404)));
    }

    [Fact]
    public async Task live_streams_open_are_measured_while_they_are_open()
    {
        await using var fresh = await Api.StartFreshApiAsync();
        var organisation = await fresh.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var outcome = await fresh.Outcomes(key).DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        using var http = fresh.Http(key);
        http.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");

        using (var stream = await http.GetAsync($"/outcomes/{outcome.Id}/status/stream", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            Assert.Equal(1, Observe(fresh, "orchestra.live_streams.open"));
        }

        await WaitUntilAsync(() => Observe(fresh, "orchestra.live_streams.open") == 0);
    }

    [Fact]
    public async Task with_an_otlp_endpoint_configured_traces_and_metrics_reach_it_including_the_callers_trace_and_the_database_spans()
    {
        await using var collector = await Collector.StartAsync();
        await using var fresh = await Api.StartFreshApiAsync(settings: new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        });
        var organisation = await fresh.NewOrganisationAsync();
        using var http = fresh.Http(await organisation.KeyAsync(Role.Conductor));
        http.DefaultRequestHeaders.Add("traceparent", TraceParent);

        await new OutcomesClient(http).DefineOutcomeAsync(OutcomeSamples.Define());

        var traceBytes = Convert.FromHexString(TraceId);
        await WaitUntilAsync(() => collector.Received("/v1/traces", traceBytes)
            && collector.Received("/v1/traces", "Npgsql"u8.ToArray())
            && collector.Received("/v1/traces", "marten.connection"u8.ToArray())
            && collector.Received("/v1/traces", "DefineOutcome"u8.ToArray())
            && collector.Received("/v1/metrics", "orchestra.commands"u8.ToArray())
            && collector.Received("/v1/metrics", "http.server.request.duration"u8.ToArray()));
    }

    private static long Observe(ApiFixture host, string instrument)
    {
        using var measured = new Measurements(host, instrument);
        measured.Listener.RecordObservableInstruments();
        return measured.Sum(instrument);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not come true within 15 s.");
            await Task.Delay(50);
        }
    }

    /// <summary>Every measurement of the named instruments of one host's OrchestraApi meter.</summary>
    private sealed class Measurements : IDisposable
    {
        private readonly ConcurrentQueue<(string Instrument, long Value, KeyValuePair<string, object?>[] Tags)> _seen = new();

        public Measurements(ApiFixture host, params string[] instruments)
        {
            var factory = host.Factory.Services.GetRequiredService<IMeterFactory>();
            Listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "OrchestraApi" && ReferenceEquals(instrument.Meter.Scope, factory) && instruments.Contains(instrument.Name))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            Listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _seen.Enqueue((instrument.Name, value, tags.ToArray())));
            Listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => _seen.Enqueue((instrument.Name, value, tags.ToArray())));
            Listener.Start();
        }

        public MeterListener Listener { get; } = new();

        public long Sum(string instrument, params (string Name, object Value)[] tags) =>
            _seen.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.Any(g => g.Key == t.Name && Equals(g.Value, t.Value)))).Sum(m => m.Value);

        public void Dispose() => Listener.Dispose();
    }

    /// <summary>An OTLP/HTTP collector on loopback that keeps every body it receives, by path.</summary>
    private sealed class Collector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _bodies = new();

        private Collector(WebApplication app) => _app = app;

        public string Url => _app.Urls.Single();

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var collector = new Collector(app);
            app.MapPost("/v1/{signal}", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                collector._bodies.Enqueue((request.Path.Value!, body.ToArray()));
                return Microsoft.AspNetCore.Http.Results.Ok();
            });
            await app.StartAsync();
            return collector;
        }

        public bool Received(string path, byte[] bytes) => _bodies.Any(b => b.Path == path && b.Body.AsSpan().IndexOf(bytes) >= 0);

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
