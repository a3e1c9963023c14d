using OrchestraApi.Sdk;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Connections;

/// <summary>An active outcome (2027) with one plan per discipline and keys for each side; activities on demand.</summary>
internal sealed class ConnectionWorld
{
    private ConnectionWorld(PlanWorld world, ConnectionsClient conductor, Dictionary<Discipline, (PlansClient Plans, ConnectionsClient Connections, PlanDetails Plan)> sides)
    {
        World = world;
        Conductor = conductor;
        Sides = sides;
    }

    public PlanWorld World { get; }

    public Guid OutcomeId => World.Outcome.Id;

    public ConnectionsClient Conductor { get; }

    public Dictionary<Discipline, (PlansClient Plans, ConnectionsClient Connections, PlanDetails Plan)> Sides { get; }

    public static async Task<ConnectionWorld> CreateAsync(ApiFixture api)
    {
        var world = await PlanWorld.CreateAsync(api);
        var sides = new Dictionary<Discipline, (PlansClient, ConnectionsClient, PlanDetails)>();
        foreach (var discipline in Enum.GetValues<Discipline>())
        {
            var key = await world.Organisation.KeyAsync(Role.Orchestrator, discipline);
            var plans = api.Plans(key);
            sides[discipline] = (plans, api.Connections(key), await plans.DraftPlanAsync(world.Plan(discipline, 200_000m)));
        }

        return new ConnectionWorld(world, api.Connections(await world.Organisation.KeyAsync(Role.Conductor)), sides);
    }

    public Task<ActivityDetails> ActivityAsync(Discipline discipline, string name, DateOnly starts, DateOnly ends, params string[] kpis)
    {
        var request = PlanWorld.Activity(name, budget: 1_000m);
        request.StartsOn = starts;
        request.EndsOn = ends;
        request.KpiKeys = kpis.Length == 0 ? ["clv"] : kpis;
        return Sides[discipline].Plans.ScheduleActivityAsync(Sides[discipline].Plan.Id, request);
    }

    /// <summary>Every plan submitted by its orchestrator and approved by the conductor (each needs an activity first).</summary>
    public async Task ApproveAllAsync()
    {
        foreach (var (_, side) in Sides)
        {
            var submitted = await side.Plans.SubmitPlanAsync(side.Plan.Id, (await side.Plans.GetPlanAsync(side.Plan.Id)).Version);
            await World.Conductor.ApprovePlanAsync(side.Plan.Id, submitted.Version);
        }
    }

    /// <summary>The discipline an activity of this world belongs to.</summary>
    public Discipline DisciplineOf(ActivityDetails activity) => Sides.Single(s => s.Value.Plan.Id == activity.PlanId).Key;

    public static ConnectionSide Side(ActivityDetails activity) => new() { PlanId = activity.PlanId, ActivityId = activity.Id };

    public Task<ConnectionDetails> DependencyAsync(ActivityDetails from, ActivityDetails to, int lag = 0, string title = "Follows") =>
        Conductor.DefineConnectionAsync(OutcomeId, new DefineConnectionRequest { Kind = ConnectionKind.Dependency, Title = title, From = Side(from), To = Side(to), LagDays = lag });
}
