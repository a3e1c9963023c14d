using System.Globalization;
using OrchestraApi.Benchmarks.Harness;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Scenarios;

/// <summary>Scenarios 3 and 5: get a plan with 250 activities (5: the same with a million events in the store).</summary>
public sealed class GetPlanScenario(BenchmarkContext context, string name) : IScenario
{
    private static Guid? _plan;
    private HttpClient _http = null!;

    public string Name => name;

    public async Task SeedAsync(int clients)
    {
        _http = context.Http(context.ConductorKey);
        _plan ??= await SeedPlanAsync(context, context.OutcomeId, Discipline.Crm, "Plan of 250 activities", pilot: true);
    }

    public async Task<bool> RunOnceAsync(int client, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri($"plans/{_plan}", UriKind.Relative), HttpCompletionOption.ResponseContentRead, ct);
        return response.IsSuccessStatusCode;
    }

    /// <summary>A fresh active outcome with one plan of 250 activities per discipline (1,000): its id and the activities.</summary>
    public static async Task<(Guid OutcomeId, IReadOnlyList<(Guid PlanId, Guid ActivityId, Discipline Discipline)> Activities)> SeedOutcomeAsync(BenchmarkContext context)
    {
        using var conductor = context.Http(context.ConductorKey);
        var outcomes = new OutcomesClient(conductor);
        var outcome = await outcomes.DefineOutcomeAsync(DefineOutcomeScenario.Request);
        await outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version);
        var plans = await Task.WhenAll(Enum.GetValues<Discipline>().Select(async d => (d, Plan: await SeedPlanAsync(context, outcome.Id, d, $"{d} plan", pilot: false))));
        var activities = new List<(Guid, Guid, Discipline)>();
        foreach (var (discipline, plan) in plans)
        {
            activities.AddRange((await context.Plans().GetPlanAsync(plan)).Activities.Select(a => (plan, a.Id, discipline)));
        }

        return (outcome.Id, [.. activities.OrderBy(a => a.Item2)]);
    }

    /// <summary>
    /// A plan with 250 activities, scheduled one by one through the API. A pilot goes where the benchmark's pilots go
    /// (<see cref="BenchmarkContext.NewPilotAsync"/>): after scenario 1's full-mode rounds the first outcome holds its
    /// 100 plans, and drafting one more there was a 409 that ended the run.
    /// </summary>
    public static async Task<Guid> SeedPlanAsync(BenchmarkContext context, Guid outcomeId, Discipline discipline, string title, bool pilot)
    {
        var plans = context.Plans();
        var plan = pilot
            ? await context.NewPilotAsync(discipline, title)
            : await plans.DraftPlanAsync(BenchmarkContext.PlanRequest(outcomeId, discipline, title));
        for (var i = 0; i < ScheduleActivityScenario.ActivitiesPerPlan; i++)
        {
            var month = 1 + (i % 12);
            await plans.ScheduleActivityAsync(plan.Id, new ScheduleActivityRequest
            {
                Name = $"{title} activity {i}",
                Channel = (Channel)(i % 19),
                StartsOn = new DateOnly(2027, month, 1),
                EndsOn = new DateOnly(2027, month, 20),
                Budget = new Money { Amount = 100m + i, Currency = "EUR" },
                Audience = "loyalty members",
                KpiKeys = ["clv"],
            });
        }

        return plan.Id;
    }
}
