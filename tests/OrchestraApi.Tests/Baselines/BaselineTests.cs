using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;
using OrchestraApi.Tests.Status;

namespace OrchestraApi.Tests.Baselines;

/// <summary>Baselines — a named moment of an outcome — and the variance against them, through the SDK.</summary>
public sealed class BaselineTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = ScriptedOutcome.March1;

    [Fact]
    public async Task a_baseline_keeps_its_moment_and_the_variance_shows_dates_spend_and_kpi_progress_moved_since()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var conductorKey = await w.World.Organisation.KeyAsync(Role.Conductor);
        var baselines = Api.Baselines(conductorKey);
        var (film, mailing) = await ScriptedOutcome.FilmAndMailingApprovedAsync(w);
        await Api.Results(conductorKey).ObserveKpiAsync(w.OutcomeId, "churn", new ObserveKpiRequest { Value = 4.2m });

        var saved = await baselines.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Board-approved plan", Note = "March board." }, "baseline-1");
        var replay = await baselines.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Board-approved plan", Note = "March board." }, "baseline-1");
        var sameName = await Assert.ThrowsAsync<ApiException<Problem>>(() => baselines.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "BOARD-APPROVED PLAN" }));

        // The baseline names its moment (TakenAt): every change below is requested after its answer, so after it.
        await ScriptedOutcome.MoveAsync(w, mailing, March1.AddDays(25), March1.AddDays(37));
        var late = await w.ActivityAsync(Discipline.Digital, "Retargeting", March1.AddDays(40), March1.AddDays(50));
        await Api.Results(await w.World.Organisation.KeyAsync(Role.Orchestrator, Discipline.Advertising)).RecordResultsAsync(w.OutcomeId, new RecordResultsRequest
        {
            Rows = [new ResultRowRequest { ActivityId = film.Id, From = March1, To = March1.AddDays(9), Reached = 1000, Impressions = 5000, Responses = 100, Conversions = 10, Revenue = new Money { Amount = 9_000m, Currency = "EUR" }, Cost = new Money { Amount = 7_500m, Currency = "EUR" } }],
        });
        await Api.Results(conductorKey).ObserveKpiAsync(w.OutcomeId, "churn", new ObserveKpiRequest { Value = 3.65m });

        var variance = await Api.Baselines(await w.World.Organisation.KeyAsync(Role.Cmo)).GetBaselineVarianceAsync(w.OutcomeId, saved.Id);
        var listed = await baselines.ListBaselinesAsync(w.OutcomeId);

        Assert.Equal(saved.Id, replay.Id);
        Assert.Equal("baseline-name-unique", sameName.Result.Rule);
        Assert.Equal([saved.Id], listed.Items.Select(b => b.Id));
        Assert.Equal((Rag.Green, "Board-approved plan"), (saved.Rag, variance.Baseline.Name));
        var advertising = variance.Disciplines.Single(d => d.Discipline == Discipline.Advertising);
        Assert.Equal((0m, 7_500m, 7_500m), (advertising.SpentThen.Amount, advertising.SpentNow.Amount, advertising.SpentVariance.Amount));
        Assert.Equal((1_000m, 1_000m), (advertising.PlannedThen.Amount, advertising.PlannedNow.Amount));
        var digital = variance.Disciplines.Single(d => d.Discipline == Discipline.Digital);
        Assert.Equal((1_000m, 2_000m), (digital.PlannedThen.Amount, digital.PlannedNow.Amount));
        var moved = variance.Activities.Single(a => a.ActivityId == mailing.Id);
        Assert.Equal((5, 7, March1.AddDays(20), March1.AddDays(25)), (moved.StartShiftDays, moved.EndShiftDays, moved.StartsOnThen, moved.StartsOn));
        var added = variance.Activities.Single(a => a.ActivityId == late.Id);
        Assert.Equal((null, 0, (ActivityStatus?)null), (added.StartsOnThen, added.StartShiftDays, added.StatusThen));
        Assert.Equal(2, variance.Activities.Count);
        // Churn 4.2 → 3.1 is the way; 3.65 is half of it: 0 → 50 points.
        var churn = variance.Kpis.Single(k => k.Key == "churn");
        Assert.Equal((0m, 0.5m, 50m), (churn.ProgressThen, churn.ProgressNow, churn.Points));
    }

    [Fact]
    public async Task baselines_answer_only_their_organisation_and_only_conductors_save_them()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var saved = await Api.Baselines(await w.World.Organisation.KeyAsync(Role.Conductor)).SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Kick-off" });
        var cmo = Api.Baselines(await w.World.Organisation.KeyAsync(Role.Cmo));
        var orchestrator = Api.Baselines(await w.World.Organisation.KeyAsync(Role.Orchestrator, Discipline.Digital));
        var foreign = Api.Baselines(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Admin));
        var foreignStatus = Api.Status(await (await Api.NewOrganisationAsync("Third")).KeyAsync(Role.Cmo));

        Assert.Equal(saved.Id, (await cmo.GetBaselineAsync(w.OutcomeId, saved.Id)).Id);
        foreach (var call in new Func<Task>[]
        {
            () => foreign.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Theirs" }),
            () => foreign.GetBaselineAsync(w.OutcomeId, saved.Id),
            () => foreign.ListBaselinesAsync(w.OutcomeId),
            () => foreign.GetBaselineVarianceAsync(w.OutcomeId, saved.Id),
            () => foreignStatus.GetOutcomeStatusAsync(w.OutcomeId, DateTimeOffset.UtcNow),
            () => foreignStatus.GetStatusChangesAsync(w.OutcomeId, DateTimeOffset.UtcNow.AddMinutes(-1)),
        })
        {
            var problem = await Assert.ThrowsAsync<ApiException<Problem>>(call);
            Assert.Equal(404, problem.StatusCode);
        }

        Assert.Equal(403, (await Assert.ThrowsAsync<ApiException<Problem>>(() => cmo.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Mine" }))).StatusCode);
        Assert.Equal(403, (await Assert.ThrowsAsync<ApiException<Problem>>(() => orchestrator.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Mine" }))).StatusCode);
        Assert.Single((await cmo.ListBaselinesAsync(w.OutcomeId)).Items);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException<Problem>>(() => cmo.GetBaselineAsync(Guid.NewGuid(), saved.Id))).StatusCode);
    }

    [Fact]
    public async Task concurrent_retries_of_one_baseline_key_save_one()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var baselines = Api.Baselines(await w.World.Organisation.KeyAsync(Role.Conductor));
        var saves = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => baselines.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Kick-off" }, "same-key")));

        Assert.Single(saves.Select(b => b.Id).Distinct());
        Assert.Single((await baselines.ListBaselinesAsync(w.OutcomeId)).Items);
    }
}
