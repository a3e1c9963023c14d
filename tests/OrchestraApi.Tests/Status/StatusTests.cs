using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Status;

/// <summary>The outcome status through the SDK: each RAG rule on a scripted outcome, and who may read it.</summary>
public sealed class StatusTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = new(2027, 3, 1);

    private static IReadOnlyList<string> Rules(OutcomeStatusReport status) => [.. status.Reasons.Select(r => r.Rule).Distinct()];

    [Fact]
    public async Task plans_approved_everywhere_make_it_green_a_missing_plan_amber_and_spend_over_budget_or_a_broken_critical_dependency_red()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var drafted = await status.GetOutcomeStatusAsync(w.OutcomeId);

        var activities = new Dictionary<Discipline, ActivityDetails>();
        foreach (var discipline in w.Sides.Keys)
        {
            activities[discipline] = await w.ActivityAsync(discipline, $"{discipline} work", March1.AddDays(activities.Count * 20), March1.AddDays((activities.Count * 20) + 10));
        }

        await w.ApproveAllAsync();

        var green = await status.GetOutcomeStatusAsync(w.OutcomeId);
        var dependency = await w.DependencyAsync(activities[Discipline.Advertising], activities[Discipline.Crm]);
        var stillGreen = await status.GetOutcomeStatusAsync(w.OutcomeId);
        await w.Conductor.MarkConnectionBrokenAsync(w.OutcomeId, dependency.Id, dependency.Version, new CancelRequest { Reason = "TV slot lost." });
        var broken = await status.GetOutcomeStatusAsync(w.OutcomeId);
        await Api.Results(await w.World.Organisation.KeyAsync(Role.Orchestrator, Discipline.Digital)).RecordResultsAsync(w.OutcomeId, new RecordResultsRequest
        {
            Rows = [new ResultRowRequest { ActivityId = activities[Discipline.Digital].Id, From = March1, To = March1, Reached = 1, Impressions = 1, Responses = 1, Conversions = 1, Revenue = new Money { Amount = 0m, Currency = "EUR" }, Cost = new Money { Amount = 250_000m, Currency = "EUR" } }],
        });
        var overSpent = await status.GetOutcomeStatusAsync(w.OutcomeId);

        Assert.Equal(Rag.Amber, drafted.Rag);
        Assert.Equal(["discipline-without-approved-plan"], Rules(drafted));
        Assert.Equal(4, drafted.Reasons.Count);
        Assert.All(drafted.Disciplines, d => Assert.Equal(PlanStage.Draft, d.Plan));
        Assert.Equal((Rag.Green, 0), (green.Rag, green.Reasons.Count));
        Assert.All(green.Disciplines, d => Assert.Equal((1, PlanStage.Approved), (d.Activities.Planned, d.Plan)));
        Assert.Equal(Rag.Green, stillGreen.Rag);
        Assert.Equal(1, stillGreen.Disciplines.Single(d => d.Discipline == Discipline.Crm).Connections.AwaitingAcknowledgement);
        Assert.Equal(Rag.Red, broken.Rag);
        Assert.Equal(["critical-connection-broken-or-in-conflict"], Rules(broken));
        Assert.Equal($"connection {dependency.Id}", broken.Reasons[0].About);
        Assert.Equal(1, broken.Disciplines.Single(d => d.Discipline == Discipline.Advertising).Connections.Broken);
        Assert.Equal(["critical-connection-broken-or-in-conflict", "spend-over-budget"], Rules(overSpent).Order(StringComparer.Ordinal));
        Assert.Equal((250_000m, 250_000m), (overSpent.Spent.Amount, overSpent.Disciplines.Single(d => d.Discipline == Discipline.Digital).Spent.Amount));
        Assert.Equal($"plan {w.Sides[Discipline.Digital].Plan.Id}", overSpent.Reasons.Single(r => r.Rule == "spend-over-budget").About);
    }

    [Fact]
    public async Task a_kpi_slightly_behind_pace_is_amber_far_behind_is_red_and_other_organisations_see_nothing()
    {
        var organisation = await Api.NewOrganisationAsync();
        var conductorKey = await organisation.KeyAsync(Role.Conductor);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var define = OutcomeSamples.Define(kpis:
        [
            new KpiDefinition { Key = "slow", Name = "Slow", Unit = "x", Baseline = 0m, Target = 100m, Direction = KpiDirection.Up },
            new KpiDefinition { Key = "stuck", Name = "Stuck", Unit = "x", Baseline = 0m, Target = 100m, Direction = KpiDirection.Up },
        ]);
        (define.StartsOn, define.EndsOn) = (today.AddDays(-49), today.AddDays(50));
        var outcomes = Api.Outcomes(conductorKey);
        var draft = await outcomes.DefineOutcomeAsync(define);
        var outcome = await outcomes.ActivateOutcomeAsync(draft.Id, draft.Version);
        var results = Api.Results(conductorKey);
        await results.ObserveKpiAsync(outcome.Id, "slow", new ObserveKpiRequest { Value = 40m });
        await results.ObserveKpiAsync(outcome.Id, "stuck", new ObserveKpiRequest { Value = 10m });

        var status = await Api.Status(await organisation.KeyAsync(Role.Cmo)).GetOutcomeStatusAsync(outcome.Id);
        var foreign = Api.Status(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Admin));

        Assert.Equal(0.5m, status.Kpis[0].Elapsed);
        Assert.Equal(Rag.Red, status.Rag);
        Assert.Equal(("kpi-far-behind-pace", "kpi stuck"), (status.Reasons[0].Rule, status.Reasons[0].About));
        Assert.Contains(status.Reasons, r => (r.Level, r.Rule, r.About) == (Rag.Amber, "kpi-behind-pace", "kpi slow"));
        Assert.Equal(50, status.DaysLeft);
        Assert.Equal(404, await ApiCalls.StatusOf(() => foreign.GetOutcomeStatusAsync(outcome.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => foreign.GetOutcomeStatusAsync(Guid.NewGuid())));
    }

    [Fact]
    public async Task a_conflict_off_the_critical_path_is_amber_and_on_it_red()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var tv = await w.ActivityAsync(Discipline.Advertising, "TV burst", March1, March1.AddDays(9));
        var mail = await w.ActivityAsync(Discipline.Crm, "Emails", March1.AddDays(4), March1.AddDays(14));
        var autumn = await w.ActivityAsync(Discipline.Digital, "Autumn search", new DateOnly(2027, 11, 1), new DateOnly(2027, 11, 30));
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var conflict = await w.DependencyAsync(tv, mail);

        var offPath = await status.GetOutcomeStatusAsync(w.OutcomeId);
        var press = await w.ActivityAsync(Discipline.PublicRelations, "Press day", new DateOnly(2027, 10, 20), new DateOnly(2027, 11, 5));
        var onPath = await w.DependencyAsync(press, autumn);
        var critical = await status.GetOutcomeStatusAsync(w.OutcomeId);

        Assert.Contains(offPath.Reasons, r => (r.Level, r.Rule, r.About) == (Rag.Amber, "connection-broken-or-in-conflict", $"connection {conflict.Id}"));
        Assert.DoesNotContain(offPath.Reasons, r => r.Level == Rag.Red);
        Assert.Equal(Rag.Red, critical.Rag);
        Assert.Equal(("critical-connection-broken-or-in-conflict", $"connection {onPath.Id}"), (critical.Reasons[0].Rule, critical.Reasons[0].About));
        Assert.Equal(1, critical.Disciplines.Single(d => d.Discipline == Discipline.Digital).Connections.InConflict);
    }
}
