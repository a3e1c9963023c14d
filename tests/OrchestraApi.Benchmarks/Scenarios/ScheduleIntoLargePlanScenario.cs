using System.Text;
using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>
/// Scenario 1L: scenario 1 into plans that already hold <paramref name="activitiesPerPlan"/> activities each (one plan
/// per client, filled before timing). A command should cost the same whatever the plan's size.
/// </summary>
public sealed class ScheduleIntoLargePlanScenario(BenchmarkContext context, int activitiesPerPlan) : IScenario
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"name":"Win-back email","channel":"Email","startsOn":"2027-03-01","endsOn":"2027-03-28","budget":{"amount":1,"currency":"EUR"}}""");

    private (HttpClient Http, Guid Plan)[] _workers = [];

    public string Name => $"1L = 1 into plans of {activitiesPerPlan:N0} activities";

    public async Task SeedAsync(int clients)
    {
        _workers = await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            var http = context.Http(context.OrchestratorKey);
            var plan = await context.NewPilotAsync(Discipline.Crm, "Large benchmark pilot");
            for (var i = 0; i < activitiesPerPlan; i++)
            {
                using var content = new ByteArrayContent(Body) { Headers = { ContentType = new("application/json") } };
                using var response = await http.PostAsync(new Uri($"plans/{plan.Id}/activities", UriKind.Relative), content);
                response.EnsureSuccessStatusCode();
            }

            return (http, plan.Id);
        }));
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        var (http, plan) = _workers[client];
        using var content = new ByteArrayContent(Body) { Headers = { ContentType = new("application/json") } };
        using var response = await http.PostAsync(new Uri($"plans/{plan}/activities", UriKind.Relative), content, ct);
        return response.IsSuccessStatusCode;
    }
}
