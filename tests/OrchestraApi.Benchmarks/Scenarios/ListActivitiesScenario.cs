using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>Scenario 4: list an outcome's activities, a page of 50, when the outcome has 1,000 (four plans of 250).</summary>
public sealed class ListActivitiesScenario(BenchmarkContext context) : IScenario
{
    private Guid _outcome;
    private HttpClient _http = null!;

    public string Name => "4 list 50 of an outcome's 1,000 activities";

    public async Task SeedAsync(int clients)
    {
        _http = context.Http(context.ConductorKey);
        if (_outcome != Guid.Empty)
        {
            return;
        }

        // A fresh outcome, so that only these 1,000 activities are under it.
        (_outcome, _) = await GetPlanScenario.SeedOutcomeAsync(context);
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri($"outcomes/{_outcome}/activities?limit=50", UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
        return response.IsSuccessStatusCode;
    }
}
