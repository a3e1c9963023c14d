using System.Net;
using System.Text;
using System.Text.Json;
using OrchestraApi.Sdk;
using static OrchestraApi.Tests.ApiCalls;

namespace OrchestraApi.Tests.Plans;

/// <summary>Activities have their own versions; the plan's rules still hold when many write at once (issue 9).</summary>
public sealed class ActivityConcurrencyTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task concurrent_changes_to_different_activities_of_one_plan_all_succeed()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var agency = await world.AsAsync(Role.Agency, Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 500_000m));
        var activities = new List<ActivityDetails>();
        for (var i = 0; i < 16; i++)
        {
            activities.Add(await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity($"Activity {i}", 1_000m)));
        }

        // Half rescheduled by the orchestrator, half re-budgeted by an agency, all at once.
        var changes = activities.Select((a, i) => i % 2 == 0
            ? crm.RescheduleActivityAsync(plan.Id, a.Id, a.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 6, 1), EndsOn = new DateOnly(2027, 6, 30) })
            : agency.RebudgetActivityAsync(plan.Id, a.Id, a.V(), new RebudgetActivityRequest { Budget = new Money { Amount = 2_000m, Currency = "EUR" } }));
        var changed = await Task.WhenAll(changes);

        Assert.All(changed, a => Assert.Equal(2, a.Version));
        var after = await crm.GetPlanAsync(plan.Id);
        Assert.Equal(16 * 1_000m + 8 * 1_000m, after.Planned.Amount);
        Assert.Equal(8, after.Activities.Count(a => a.StartsOn == new DateOnly(2027, 6, 1)));
    }

    [Fact]
    public async Task of_concurrent_writers_on_one_activity_version_exactly_one_wins()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var activity = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity());

        var statuses = await Task.WhenAll(Enumerable.Range(1, 8).Select(async day =>
        {
            try
            {
                await crm.RescheduleActivityAsync(plan.Id, activity.Id, activity.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 6, day), EndsOn = new DateOnly(2027, 6, 20) });
                return 200;
            }
            catch (ApiException e)
            {
                return e.StatusCode;
            }
        }));

        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.Equal(7, statuses.Count(s => s == 412));
        Assert.Equal(2, (await crm.GetActivityAsync(plan.Id, activity.Id)).Version);
    }

    [Fact]
    public async Task concurrent_schedules_and_rebudgets_into_an_approved_plan_cannot_together_break_its_budget()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var agency = await world.AsAsync(Role.Agency, Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 100_000m));
        var first = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("First", 40_000m));
        var second = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("Second", 40_000m));
        await world.Conductor.ApprovePlanAsync(plan.Id, (await crm.SubmitPlanAsync(plan.Id, await crm.VersionOfAsync(plan.Id))).V());

        // 20,000 left. Each of these fits alone; together they would spend 15,000 × 2 + 5,000 × 8 = 70,000.
        var writes = new List<Task<int>>
        {
            StatusOf(() => crm.RebudgetActivityAsync(plan.Id, first.Id, first.V(), new RebudgetActivityRequest { Budget = new Money { Amount = 55_000m, Currency = "EUR" } })),
            StatusOf(() => agency.RebudgetActivityAsync(plan.Id, second.Id, second.V(), new RebudgetActivityRequest { Budget = new Money { Amount = 55_000m, Currency = "EUR" } })),
        };
        writes.AddRange(Enumerable.Range(0, 8).Select(i => StatusOf(() => (i % 2 == 0 ? crm : agency).ScheduleActivityAsync(plan.Id, PlanWorld.Activity($"Extra {i}", 5_000m)))));
        var statuses = await Task.WhenAll(writes);

        var after = await crm.GetPlanAsync(plan.Id);
        Assert.All(statuses, s => Assert.True(s is 200 or 409, $"{s}"));
        Assert.True(after.Planned.Amount <= 100_000m, $"planned {after.Planned.Amount}");
        Assert.Equal(after.Activities.Where(a => a.Status != ActivityStatus.Cancelled).Sum(a => a.Budget.Amount), after.Planned.Amount);
        Assert.Equal(after.Planned.Amount, 80_000m + (statuses.Take(2).Count(s => s == 200) * 15_000m) + (statuses.Skip(2).Count(s => s == 200) * 5_000m));
        Assert.Contains(409, statuses);
    }

    [Fact]
    public async Task scheduling_answers_201_with_a_readable_location_and_replays_a_retried_idempotency_key()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var key = await world.Organisation.KeyAsync(Role.Orchestrator, Discipline.Crm);
        var plan = await Api.Plans(key).DraftPlanAsync(world.Plan(Discipline.Crm));
        using var http = Api.Http(key);
        var body = """{"name":"Win-back email","channel":"Email","startsOn":"2027-03-01","endsOn":"2027-03-28","budget":{"amount":100,"currency":"EUR"}}""";

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/plans/{plan.Id}/activities") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Idempotency-Key", "win-back-1");
            using var response = await http.SendAsync(request);
            return (response.StatusCode, response.Headers.Location, ETag: response.Headers.ETag?.Tag, Body: await response.Content.ReadAsStringAsync());
        }));

        Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.Created, $"{a.StatusCode} {a.Body}"));
        var id = Assert.Single(answers.Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("id").GetGuid()).Distinct());
        Assert.All(answers, a => Assert.Equal($"/plans/{plan.Id}/activities/{id}", a.Location?.ToString()));
        using var read = await http.GetAsync(answers[0].Location);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"1\"", read.Headers.ETag?.Tag);
        Assert.Single((await Api.Plans(key).GetPlanAsync(plan.Id)).Activities);
    }

    [Fact]
    public async Task an_activity_is_not_found_through_another_plan()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        var pilot = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 1_000m, "Pilot"));
        var activity = await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity());

        Assert.Equal(404, await StatusOf(() => crm.GetActivityAsync(pilot.Id, activity.Id)));
        Assert.Equal(404, await StatusOf(() => crm.RescheduleActivityAsync(pilot.Id, activity.Id, activity.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 6, 1), EndsOn = new DateOnly(2027, 6, 2) })));
        Assert.Equal(404, await StatusOf(() => crm.GetActivityHistoryAsync(pilot.Id, activity.Id)));
        Assert.Equal(activity.Version, (await crm.GetActivityAsync(plan.Id, activity.Id)).Version);
    }
}
