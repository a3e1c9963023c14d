using System.Net.Http.Json;
using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>A batch of result rows spread over the given activities (the agency's own source references, unique per run).</summary>
internal static class ResultRows
{
    private static long _next;

    public static RecordResultsRequest Batch(IReadOnlyList<Guid> activities, int rows) => new()
    {
        Rows = [.. Enumerable.Range(0, rows).Select(i => new ResultRowRequest
        {
            ActivityId = activities[i % activities.Count],
            From = new DateOnly(2027, 3, 1),
            To = new DateOnly(2027, 3, 7),
            Reached = 1_000 + i,
            Impressions = 3_000 + i,
            Responses = 50 + (i % 50),
            Conversions = 5 + (i % 5),
            Revenue = new Money { Amount = 500m + i, Currency = "EUR" },
            Cost = new Money { Amount = 100m + (i % 100), Currency = "EUR" },
            SourceRef = $"row-{Interlocked.Increment(ref _next)}",
        })],
    };
}

/// <summary>Scenario 11: an agency records a batch of 1,000 result rows; each client into an outcome of its own (50 activities).</summary>
public sealed class RecordResultBatchScenario(BenchmarkContext context) : IScenario
{
    private readonly List<(Guid Outcome, Guid[] Activities)> _outcomes = [];
    private HttpClient _http = null!;

    public string Name => "11 record a batch of 1,000 result rows";

    public async Task SeedAsync(int clients)
    {
        _http = context.Http(context.OrchestratorKey);
        using var conductor = context.Http(context.ConductorKey);
        var outcomes = new OutcomesClient(conductor);
        while (_outcomes.Count < clients)
        {
            var outcome = await outcomes.DefineOutcomeAsync(DefineOutcomeScenario.Request);
            await outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version);
            var plan = await context.Plans().DraftPlanAsync(BenchmarkContext.PlanRequest(outcome.Id, Discipline.Crm, "CRM"));
            var activities = new List<Guid>();
            for (var i = 0; i < 50; i++)
            {
                activities.Add((await context.Plans().ScheduleActivityAsync(plan.Id, new ScheduleActivityRequest
                {
                    Name = $"Activity {i}", Channel = Channel.Email, StartsOn = new DateOnly(2027, 3, 1), EndsOn = new DateOnly(2027, 3, 31),
                    Budget = new Money { Amount = 1_000m, Currency = "EUR" }, KpiKeys = ["clv"],
                })).Id);
            }

            _outcomes.Add((outcome.Id, [.. activities]));
        }
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        var (outcome, activities) = _outcomes[client % _outcomes.Count];
        using var response = await _http.PostAsJsonAsync(new Uri($"outcomes/{outcome}/results", UriKind.Relative), ResultRows.Batch(activities, 1_000), ct);
        return response.IsSuccessStatusCode;
    }
}

/// <summary>Scenario 12: the measures of an outcome with 1,000 activities and 100,000 result rows (running totals, not sums).</summary>
public sealed class MeasuresScenario(BenchmarkContext context, int rows) : IScenario
{
    private Guid _outcome;
    private HttpClient _http = null!;

    public string Name => $"12 measures of an outcome (1,000 activities, {rows:N0} rows)";

    public async Task SeedAsync(int clients)
    {
        _http = context.Http(context.ConductorKey);
        if (_outcome != Guid.Empty)
        {
            return;
        }

        var (outcome, seeded) = await GetPlanScenario.SeedOutcomeAsync(context);
        var activities = seeded.Select(a => a.ActivityId).ToList();
        var results = new ResultsClient(context.Http(context.OrchestratorKey));
        for (var recorded = 0; recorded < rows; recorded += 1_000)
        {
            await results.RecordResultsAsync(outcome, ResultRows.Batch(activities, 1_000));
        }

        _outcome = outcome;
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri($"outcomes/{_outcome}/measures", UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
        return response.IsSuccessStatusCode;
    }
}
