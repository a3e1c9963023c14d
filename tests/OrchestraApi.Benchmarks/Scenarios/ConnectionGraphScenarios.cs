using System.Net.Http.Json;
using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>
/// An outcome of four plans of 250 activities (1,000) tied by dependencies across disciplines (2,000 in full mode),
/// seeded once through the API and shared by scenarios 8–10. Dependencies only go from an earlier to a later
/// activity in one global order, so the graph stays acyclic however many are added.
/// </summary>
public sealed class ConnectedOutcome(BenchmarkContext context, int connections)
{
    private readonly Lock _gate = new();
    private Task? _seeding;

    public Guid OutcomeId { get; private set; }

    public IReadOnlyList<(Guid PlanId, Guid ActivityId, Discipline Discipline)> Activities { get; private set; } = [];

    public Task EnsureAsync()
    {
        lock (_gate)
        {
            return _seeding ??= SeedAsync();
        }
    }

    private async Task SeedAsync()
    {
        using var conductor = context.Http(context.ConductorKey);
        (OutcomeId, Activities) = await GetPlanScenario.SeedOutcomeAsync(context);
        var random = new Random(8);
        var client = new ConnectionsClient(conductor);
        for (var defined = 0; defined < connections;)
        {
            if (await DefineAsync(client, random) is not null)
            {
                defined++;
            }
        }
    }

    /// <summary>A dependency between two activities of different disciplines, earlier to later in the global order.</summary>
    public DefineConnectionRequest Next(Random random)
    {
        while (true)
        {
            var i = random.Next(Activities.Count - 1);
            var j = random.Next(i + 1, Activities.Count);
            var (from, to) = (Activities[i], Activities[j]);
            if (from.Discipline != to.Discipline)
            {
                return new DefineConnectionRequest
                {
                    Kind = ConnectionKind.Dependency, Title = "Benchmark dependency", LagDays = random.Next(-3, 8),
                    From = new ConnectionSide { PlanId = from.PlanId, ActivityId = from.ActivityId },
                    To = new ConnectionSide { PlanId = to.PlanId, ActivityId = to.ActivityId },
                };
            }
        }
    }

    private async Task<ConnectionDetails?> DefineAsync(ConnectionsClient client, Random random) =>
        await client.DefineConnectionAsync(OutcomeId, Next(random));
}

/// <summary>A scenario on the connected outcome: seeds it once, then sends one request per run.</summary>
public abstract class ConnectedScenario(BenchmarkContext context, ConnectedOutcome outcome) : IScenario
{
    protected ConnectedOutcome Outcome => outcome;

    protected HttpClient Http { get; private set; } = null!;

    public abstract string Name { get; }

    public async Task SeedAsync(int clients)
    {
        Http = context.Http(context.ConductorKey);
        await outcome.EnsureAsync();
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        using var response = await SendAsync(ct);
        return response.IsSuccessStatusCode;
    }

    protected abstract Task<HttpResponseMessage> SendAsync(CancellationToken ct);
}

/// <summary>Scenario 8: impact of a 5-day slip of a random activity.</summary>
public sealed class ImpactScenario(BenchmarkContext context, ConnectedOutcome outcome) : ConnectedScenario(context, outcome)
{
    public override string Name => "8 impact of a slip (1,000 activities, connected)";

    protected override Task<HttpResponseMessage> SendAsync(CancellationToken ct)
    {
        var activity = Outcome.Activities[Random.Shared.Next(Outcome.Activities.Count)];
        return Http.GetAsync(new Uri($"outcomes/{Outcome.OutcomeId}/activities/{activity.ActivityId}/impact?slipDays=5", UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
    }
}

/// <summary>Scenario 9: the critical path of the connected outcome.</summary>
public sealed class CriticalPathScenario(BenchmarkContext context, ConnectedOutcome outcome) : ConnectedScenario(context, outcome)
{
    public override string Name => "9 critical path (1,000 activities, connected)";

    protected override Task<HttpResponseMessage> SendAsync(CancellationToken ct) =>
        Http.GetAsync(new Uri($"outcomes/{Outcome.OutcomeId}/critical-path", UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
}

/// <summary>Scenario 10: define one more dependency in the connected outcome (the graph grows during the run).</summary>
public sealed class DefineConnectionScenario(BenchmarkContext context, ConnectedOutcome outcome) : ConnectedScenario(context, outcome)
{
    public override string Name => "10 define a connection (connected outcome)";

    protected override Task<HttpResponseMessage> SendAsync(CancellationToken ct) =>
        Http.PostAsJsonAsync(new Uri($"outcomes/{Outcome.OutcomeId}/connections", UriKind.Relative), Outcome.Next(new Random(Random.Shared.Next())), ct);
}
