using System.Globalization;
using System.Text;
using System.Text.Json;
using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>
/// Scenario 7: every client reschedules its own activity of one shared plan, each with that activity's version.
/// Before activities had versions of their own this was a 412 storm; the errors column should read 0.
/// </summary>
public sealed class RescheduleConcurrentlyScenario(BenchmarkContext context) : IScenario
{
    private Worker[] _workers = [];

    public string Name => "7 reschedule own activity of one shared plan";

    public async Task SeedAsync(int clients)
    {
        var plans = context.Plans();
        var plan = await context.NewPilotAsync(Discipline.Digital, "Shared benchmark pilot");
        _workers = await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
        {
            var activity = await plans.ScheduleActivityAsync(plan.Id, new ScheduleActivityRequest
            {
                Name = $"Client {i}'s activity",
                Channel = Channel.PaidSocial,
                StartsOn = new DateOnly(2027, 3, 1),
                EndsOn = new DateOnly(2027, 3, 28),
                Budget = new Money { Amount = 1, Currency = "EUR" },
            });
            return new Worker(context.Http(context.OrchestratorKey), plan.Id, activity.Id, activity.Version);
        }));
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        var worker = _workers[client];
        var day = 1 + (int)(worker.Version % 20);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"plans/{worker.Plan}/activities/{worker.Activity}/reschedule")
        {
            Content = new StringContent($$"""{"startsOn":"2027-04-{{day:00}}","endsOn":"2027-04-28"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", worker.Version.ToString(CultureInfo.InvariantCulture));
        using var response = await worker.Http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        worker.Version = body.RootElement.GetProperty("version").GetInt64();
        return true;
    }

    private sealed class Worker(HttpClient http, Guid plan, Guid activity, long version)
    {
        public HttpClient Http { get; } = http;

        public Guid Plan { get; } = plan;

        public Guid Activity { get; } = activity;

        public long Version { get; set; } = version;
    }
}
