using System.Net;
using System.Text;
using OrchestraApi.Sdk;
using static OrchestraApi.Tests.ApiCalls;

namespace OrchestraApi.Tests.Plans;

/// <summary>Who may touch which plan, and that another organisation's plans do not exist for a key.</summary>
public sealed class PlanAccessTests(ApiFixture api) : ApiTest(api)
{
    /// <summary>Every plan route, against one plan at version <paramref name="v"/> with one activity at its own version.</summary>
    private static Func<Task>[] EveryRoute(PlansClient client, Guid outcomeId, PlanDetails plan, ActivityDetails activity, long v, Discipline discipline) =>
    [
        () => client.GetPlanAsync(plan.Id),
        () => client.GetPlanHistoryAsync(plan.Id),
        () => client.ListPlansAsync(outcomeId),
        () => client.ListActivitiesAsync(outcomeId),
        () => client.GetActivityAsync(plan.Id, activity.Id),
        () => client.GetActivityHistoryAsync(plan.Id, activity.Id),
        () => client.DraftPlanAsync(new DraftPlanRequest { OutcomeId = outcomeId, Discipline = discipline, Title = "x", Orchestrator = "x", Budget = new Money { Amount = 1, Currency = "EUR" }, PilotScope = "x" }),
        () => client.RevisePlanAsync(plan.Id, v, new RevisePlanRequest { Title = "Taken over" }),
        () => client.SubmitPlanAsync(plan.Id, v),
        () => client.ApprovePlanAsync(plan.Id, v),
        () => client.ReturnPlanAsync(plan.Id, v, new ReturnPlanRequest { Comments = "x" }),
        () => client.CancelPlanAsync(plan.Id, v, new CancelRequest { Reason = "x" }),
        () => client.PromotePilotAsync(plan.Id, v),
        () => client.ScheduleActivityAsync(plan.Id, PlanWorld.Activity()),
        () => client.RescheduleActivityAsync(plan.Id, activity.Id, activity.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 6, 1), EndsOn = new DateOnly(2027, 6, 2) }),
        () => client.RebudgetActivityAsync(plan.Id, activity.Id, activity.V(), new RebudgetActivityRequest { Budget = new Money { Amount = 1, Currency = "EUR" } }),
        () => client.StartActivityAsync(plan.Id, activity.Id, activity.V()),
        () => client.CompleteActivityAsync(plan.Id, activity.Id, activity.V()),
        () => client.CancelActivityAsync(plan.Id, activity.Id, activity.V(), new CancelRequest { Reason = "x" }),
    ];

    [Fact]
    public async Task a_key_of_another_organisation_gets_404_on_every_plan_route_and_changes_nothing()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var activity = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity());
        var version = await crm.VersionOfAsync(plan.Id);
        var intruder = Api.Plans(await (await Api.NewOrganisationAsync("Intruder")).KeyAsync(Role.Admin));

        var statuses = new List<int>();
        foreach (var route in EveryRoute(intruder, world.Outcome.Id, plan, activity, version, Discipline.Crm))
        {
            statuses.Add(await StatusOf(route));
        }

        Assert.All(statuses, s => Assert.Equal(404, s));
        Assert.Equal(version, await crm.VersionOfAsync(plan.Id));
        Assert.Equal(activity.Version, (await crm.GetActivityAsync(plan.Id, activity.Id)).Version);
    }

    [Fact]
    public async Task an_orchestrator_of_another_discipline_gets_403_on_every_change()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var activity = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity());
        var version = await crm.VersionOfAsync(plan.Id);
        var advertising = await world.OrchestratorAsync(Discipline.Advertising);

        var routes = EveryRoute(advertising, world.Outcome.Id, plan, activity, version, Discipline.Crm);
        var reads = new List<int>();
        foreach (var route in routes.Take(6))
        {
            reads.Add(await StatusOf(route));
        }

        var changes = new List<int>();
        foreach (var route in routes.Skip(6))
        {
            changes.Add(await StatusOf(route));
        }

        Assert.All(reads, s => Assert.Equal(200, s));
        Assert.All(changes, s => Assert.Equal(403, s));
        Assert.Equal(version, await crm.VersionOfAsync(plan.Id));
    }

    [Fact]
    public async Task an_agency_acts_for_its_granted_disciplines_only()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var agency = await world.AsAsync(Role.Agency, Discipline.Digital, Discipline.Crm);

        var digital = await agency.DraftPlanAsync(world.Plan(Discipline.Digital, 10_000m));
        var crm = await agency.DraftPlanAsync(world.Plan(Discipline.Crm, 10_000m));
        var pr = await StatusOf(() => agency.DraftPlanAsync(world.Plan(Discipline.PublicRelations, 10_000m)));

        Assert.Equal(Discipline.Digital, digital.Discipline);
        Assert.Equal(Discipline.Crm, crm.Discipline);
        Assert.Equal(403, pr);
    }

    [Theory]
    [InlineData(Role.Cmo)]
    [InlineData(Role.Conductor)]
    public async Task cmos_and_conductors_do_not_edit_plans_or_activities(Role role)
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var activity = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity());
        var other = await world.AsAsync(role);

        var routes = EveryRoute(other, world.Outcome.Id, plan, activity, await crm.VersionOfAsync(plan.Id), Discipline.Crm);
        var edits = new[] { 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18 };
        var statuses = new List<int>();
        foreach (var i in edits)
        {
            statuses.Add(await StatusOf(routes[i]));
        }

        Assert.All(statuses, s => Assert.Equal(403, s));
        Assert.Equal(plan.Id, (await other.GetPlanAsync(plan.Id)).Id);
    }

    [Fact]
    public async Task only_conductors_and_admins_approve_or_return()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity());
        var submitted = await crm.SubmitPlanAsync(plan.Id, await crm.VersionOfAsync(plan.Id));
        var cmo = await world.AsAsync(Role.Cmo);

        Assert.Equal(403, await StatusOf(() => crm.ApprovePlanAsync(plan.Id, submitted.V())));
        Assert.Equal(403, await StatusOf(() => cmo.ReturnPlanAsync(plan.Id, submitted.V(), new ReturnPlanRequest { Comments = "x" })));
        var admin = await world.AsAsync(Role.Admin);
        Assert.Equal(PlanStatus.Approved, (await admin.ApprovePlanAsync(plan.Id, submitted.V())).Status);
    }

    [Fact]
    public async Task plan_and_activity_changes_need_if_match_and_a_fresh_version_of_what_they_change()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var key = await world.Organisation.KeyAsync(Role.Orchestrator, Discipline.Crm);
        var crm = Api.Plans(key);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var activity = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity());
        var moved = await crm.RescheduleActivityAsync(plan.Id, activity.Id, activity.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 6, 1), EndsOn = new DateOnly(2027, 6, 2) });
        using var http = Api.Http(key);

        using var missing = await http.PostAsync(new Uri($"/plans/{plan.Id}/activities/{activity.Id}/rebudget", UriKind.Relative), new StringContent(
            """{"budget":{"amount":1,"currency":"EUR"}}""", Encoding.UTF8, "application/json"));
        using var missingForPlan = await http.PostAsync(new Uri($"/plans/{plan.Id}/submit", UriKind.Relative), null);
        var staleActivity = await StatusOf(() => crm.RebudgetActivityAsync(plan.Id, activity.Id, activity.V(), new RebudgetActivityRequest { Budget = new Money { Amount = 1, Currency = "EUR" } }));
        var stalePlan = await StatusOf(() => crm.SubmitPlanAsync(plan.Id, plan.V()));

        Assert.Equal((HttpStatusCode)428, missing.StatusCode);
        Assert.Equal((HttpStatusCode)428, missingForPlan.StatusCode);
        Assert.Equal(412, staleActivity);
        Assert.Equal(412, stalePlan);
        var after = await crm.GetPlanAsync(plan.Id);
        Assert.Equal((PlanStatus.Draft, 50_000m), (after.Status, after.Activities.Single().Budget.Amount));
        Assert.Equal(moved.Version, after.Activities.Single().Version);
    }

    [Fact]
    public async Task a_retried_draft_with_the_same_idempotency_key_drafts_one_plan()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);

        var first = await crm.DraftPlanAsync(world.Plan(Discipline.Crm), "crm-plan-2027");
        var retry = await crm.DraftPlanAsync(world.Plan(Discipline.Crm), "crm-plan-2027");

        Assert.Equal(first.Id, retry.Id);
        Assert.Single((await crm.ListPlansAsync(world.Outcome.Id)).Items);
    }

    [Theory]
    [InlineData("/outcomes/00000000-0000-0000-0000-000000000001/plans?limit=0", "limit")]
    [InlineData("/outcomes/00000000-0000-0000-0000-000000000001/plans?status=Sleeping", "status")]
    [InlineData("/outcomes/00000000-0000-0000-0000-000000000001/activities?channel=Carrier pigeon", "channel")]
    [InlineData("/outcomes/00000000-0000-0000-0000-000000000001/activities?from=yesterday", "from")]
    public async Task bad_plan_list_parameters_are_a_400_naming_the_parameter(string url, string field)
    {
        var world = await PlanWorld.CreateAsync(Api);
        using var http = Api.Http(await world.Organisation.KeyAsync(Role.Cmo));

        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
