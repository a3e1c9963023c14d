using System.Text;
using System.Text.Json;
using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>Scenario 2: define an outcome with one KPI (a stream start: two events and a snapshot).</summary>
public sealed class DefineOutcomeScenario(BenchmarkContext context) : IScenario
{
    public static DefineOutcomeRequest Request => new()
    {
        Title = "Grow loyalty-member lifetime value",
        Conductor = "Benchmark conductor",
        StartsOn = new DateOnly(2027, 1, 1),
        EndsOn = new DateOnly(2027, 12, 31),
        Budget = new Money { Amount = 100_000_000_000m, Currency = "EUR" },
        Segments = ["loyalty members"],
        Kpis = [new KpiDefinition { Key = "clv", Name = "Customer lifetime value", Unit = "EUR", Baseline = 420m, Target = 500m, Direction = KpiDirection.Up }],
    };

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        title = Request.Title,
        conductor = Request.Conductor,
        startsOn = "2027-01-01",
        endsOn = "2027-12-31",
        budget = new { amount = 1_000_000m, currency = "EUR" },
        segments = Request.Segments,
        kpis = new[] { new { key = "clv", name = "Customer lifetime value", unit = "EUR", baseline = 420m, target = 500m, direction = "Up" } },
    }));

    private HttpClient _http = null!;

    public string Name => "2 define an outcome";

    public Task SeedAsync(int clients)
    {
        _http = context.Http(context.ConductorKey);
        return Task.CompletedTask;
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        using var content = new ByteArrayContent(Body);
        content.Headers.ContentType = new("application/json");
        using var response = await _http.PostAsync(new Uri("outcomes", UriKind.Relative), content, ct);
        return response.IsSuccessStatusCode;
    }
}
