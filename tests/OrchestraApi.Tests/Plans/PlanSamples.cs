using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Plans;

/// <summary>An organisation with an active outcome (1,000,000 EUR, 2027) and keys for the people around it.</summary>
internal sealed class PlanWorld
{
    private readonly ApiFixture _api;

    private PlanWorld(ApiFixture api, TestOrganisation organisation, OutcomeDetails outcome, OutcomesClient conductorOutcomes, PlansClient conductor)
    {
        _api = api;
        Organisation = organisation;
        Outcome = outcome;
        ConductorOutcomes = conductorOutcomes;
        Conductor = conductor;
    }

    public TestOrganisation Organisation { get; }

    public OutcomeDetails Outcome { get; }

    public OutcomesClient ConductorOutcomes { get; }

    public PlansClient Conductor { get; }

    public static async Task<PlanWorld> CreateAsync(ApiFixture api, decimal outcomeBudget = 1_000_000m)
    {
        var organisation = await api.NewOrganisationAsync();
        var conductorKey = await organisation.KeyAsync(Role.Conductor);
        var outcomes = api.Outcomes(conductorKey);
        var define = OutcomeSamples.Define(kpis: [OutcomeSamples.Clv(), OutcomeSamples.Churn()]);
        define.Budget = new Money { Amount = outcomeBudget, Currency = "EUR" };
        var draft = await outcomes.DefineOutcomeAsync(define);
        var outcome = await outcomes.ActivateOutcomeAsync(draft.Id, draft.Version());
        return new PlanWorld(api, organisation, outcome, outcomes, api.Plans(conductorKey));
    }

    public async Task<PlansClient> OrchestratorAsync(Discipline discipline) => _api.Plans(await Organisation.KeyAsync(Role.Orchestrator, discipline));

    public async Task<PlansClient> AsAsync(Role role, params Discipline[] disciplines) => _api.Plans(await Organisation.KeyAsync(role, disciplines));

    public DraftPlanRequest Plan(Discipline discipline, decimal budget = 200_000m, string? pilotScope = null) => new()
    {
        OutcomeId = Outcome.Id,
        Discipline = discipline,
        Title = $"{discipline} plan",
        Orchestrator = $"{discipline} orchestrator",
        Objective = "Speak to loyalty members as one brand.",
        Budget = new Money { Amount = budget, Currency = "EUR" },
        PilotScope = pilotScope,
    };

    public static ScheduleActivityRequest Activity(string name = "Win-back emails", decimal budget = 50_000m, Channel channel = Channel.Email, int month = 3) => new()
    {
        Name = name,
        Channel = channel,
        StartsOn = new DateOnly(2027, month, 1),
        EndsOn = new DateOnly(2027, month, 28),
        Budget = new Money { Amount = budget, Currency = "EUR" },
        Audience = "lapsed loyalty members",
        KpiKeys = ["clv"],
    };
}

internal static class PlanVersions
{
    public static long V(this PlanDetails plan) => plan.Version;

    /// <summary>The activity's own version: what its changes need as If-Match.</summary>
    public static long V(this ActivityDetails activity) => activity.Version;

    /// <summary>The plan's current version, read again: adding, re-budgeting or closing activities moves it.</summary>
    public static async Task<long> VersionOfAsync(this PlansClient plans, Guid planId) => (await plans.GetPlanAsync(planId)).V();
}
