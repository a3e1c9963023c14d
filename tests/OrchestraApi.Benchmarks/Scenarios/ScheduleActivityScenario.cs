using System.Globalization;
using System.Text;
using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1: schedule an activity, one command per request. Each client works on its own pilot (so plan locks never
/// wait on each other) and moves to a fresh one after 250 activities, the plan size scenario 3 reads.
/// </summary>
public sealed class ScheduleActivityScenario(BenchmarkContext context) : IScenario
{
    public const int ActivitiesPerPlan = 250;

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"name":"Win-back email","channel":"Email","startsOn":"2027-03-01","endsOn":"2027-03-28","budget":{"amount":1,"currency":"EUR"},"audience":"lapsed loyalty members","kpiKeys":["clv"]}""");

    private Worker[] _workers = [];

    public string Name => "1 schedule an activity";

    public async Task SeedAsync(int clients)
    {
        _workers = await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ => new Worker(context.Http(context.OrchestratorKey), await NewPilotAsync())));
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        var worker = _workers[client];
        if (worker.Count == ActivitiesPerPlan)
        {
            // Not timed apart: drafting the next pilot is part of this client's work, once per 250 activities.
            worker.Plan = await NewPilotAsync();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"plans/{worker.Plan.Id}/activities") { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = new("application/json");
        using var response = await worker.Http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        worker.Count++;
        return true;
    }

    private Task<PlanDetails> NewPilotAsync() => context.NewPilotAsync(Discipline.Crm, "Benchmark pilot");

    private sealed class Worker(HttpClient http, PlanDetails plan)
    {
        private PlanDetails _plan = plan;

        public HttpClient Http { get; } = http;

        public PlanDetails Plan
        {
            get => _plan;
            set
            {
                _plan = value;
                Count = 0;
            }
        }

        public int Count { get; set; }
    }
}
