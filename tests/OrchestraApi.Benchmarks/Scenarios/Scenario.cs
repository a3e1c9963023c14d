using OrchestraApi.Benchmarks.Harness;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>
/// One thing to measure. To add a scenario: implement this, and list it in <see cref="Catalogue"/>; the harness
/// seeds it (untimed), drives it with every client for the run's duration, and prints its row.
/// </summary>
public interface IScenario
{
    string Name { get; }

    /// <summary>Prepares what the operation needs, for <paramref name="clients"/> clients. Not timed.</summary>
    Task SeedAsync(int clients);

    /// <summary>One request by client <paramref name="client"/>; false when the API answered with an error.</summary>
    Task<bool> RunOnceAsync(int client, CancellationToken ct);
}

public static class Catalogue
{
    /// <summary>The scenarios after scenario 1 (which runs interleaved with the limits), in order.</summary>
    public static IReadOnlyList<IScenario> Others(BenchmarkContext context, bool quick)
    {
        var connected = new ConnectedOutcome(context, quick ? 500 : 2_000);
        return
        [
        new ScheduleIntoLargePlanScenario(context, quick ? 500 : 2_000),
        new DefineOutcomeScenario(context),
        new GetPlanScenario(context, "3 get a plan with 250 activities"),
        new ListActivitiesScenario(context),
        new RescheduleConcurrentlyScenario(context),
        new ImpactScenario(context, connected),
        new CriticalPathScenario(context, connected),
        new DefineConnectionScenario(context, connected),
        new RecordResultBatchScenario(context),
        new MeasuresScenario(context, quick ? 20_000 : 100_000),
        ];
    }
}
