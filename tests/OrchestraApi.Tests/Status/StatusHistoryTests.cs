using System.Text.Json;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;

namespace OrchestraApi.Tests.Status;

/// <summary>Status as of past moments, what changed between them, and baselines with variance — through the SDK.</summary>
public sealed class StatusHistoryTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = new(2027, 3, 1);

    /// <summary>A moment strictly between two steps: the clock is shared with PostgreSQL, which stamps the events.</summary>
    private static async Task<DateTimeOffset> MomentAsync()
    {
        await Task.Delay(30);
        var moment = DateTimeOffset.UtcNow;
        await Task.Delay(30);
        return moment;
    }

    /// <summary>
    /// The scripted outcome: a launch film (advertising, March 1–10) and a welcome mailing (CRM, March 21–31), a short
    /// activity for public relations and digital (a plan needs one to be submitted), then every plan approved.
    /// </summary>
    private static async Task<(ActivityDetails Film, ActivityDetails Mailing)> FilmAndMailingApprovedAsync(ConnectionWorld w)
    {
        var film = await w.ActivityAsync(Discipline.Advertising, "Launch film", March1, March1.AddDays(9));
        var mailing = await w.ActivityAsync(Discipline.Crm, "Welcome mailing", March1.AddDays(20), March1.AddDays(30));
        await w.ActivityAsync(Discipline.PublicRelations, "Press note", March1, March1.AddDays(1));
        await w.ActivityAsync(Discipline.Digital, "Banner", March1, March1.AddDays(1));
        await w.ApproveAllAsync();
        return (film, mailing);
    }

    private static Task<ActivityDetails> MoveAsync(ConnectionWorld w, ActivityDetails a, DateOnly starts, DateOnly ends) =>
        w.Sides[w.DisciplineOf(a)].Plans.RescheduleActivityAsync(a.PlanId, a.Id, a.Version, new RescheduleActivityRequest { StartsOn = starts, EndsOn = ends });

    private static DisciplineStatus Of(OutcomeStatusReport s, Discipline d) => s.Disciplines.Single(x => x.Discipline == d);

    [Fact]
    public async Task status_as_of_each_moment_of_a_scripted_history_is_what_it_was_then_and_as_of_now_equals_the_live_status()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var beforeOutcome = w.World.Outcome.DefinedAt.AddSeconds(-1);
        var t0 = await MomentAsync();

        var (film, mailing) = await FilmAndMailingApprovedAsync(w);
        var t1 = await MomentAsync();

        var dependency = await w.DependencyAsync(film, mailing, title: "Mailing follows the film");
        mailing = await MoveAsync(w, mailing, March1.AddDays(4), March1.AddDays(14));
        var t2 = await MomentAsync();

        await MoveAsync(w, mailing, March1.AddDays(20), March1.AddDays(30));
        var advertising = w.Sides[Discipline.Advertising].Plans;
        film = await advertising.StartActivityAsync(film.PlanId, film.Id, film.Version);
        await advertising.CompleteActivityAsync(film.PlanId, film.Id, film.Version);
        var t3 = await MomentAsync();

        var at0 = await status.GetOutcomeStatusAsync(w.OutcomeId, t0);
        var at1 = await status.GetOutcomeStatusAsync(w.OutcomeId, t1);
        var at2 = await status.GetOutcomeStatusAsync(w.OutcomeId, t2);
        var at3 = await status.GetOutcomeStatusAsync(w.OutcomeId, t3);
        var live = await status.GetOutcomeStatusAsync(w.OutcomeId);
        var asOfNow = await status.GetOutcomeStatusAsync(w.OutcomeId, DateTimeOffset.UtcNow);
        var before = await Assert.ThrowsAsync<ApiException<Problem>>(() => status.GetOutcomeStatusAsync(w.OutcomeId, beforeOutcome));
        var future = await Assert.ThrowsAsync<ApiException<Problem>>(() => status.GetOutcomeStatusAsync(w.OutcomeId, DateTimeOffset.UtcNow.AddHours(1)));

        // t0: four drafted plans, nothing scheduled.
        Assert.Equal(Rag.Amber, at0.Rag);
        Assert.Equal(4, at0.Reasons.Count(r => r.Rule == "discipline-without-approved-plan"));
        Assert.All(at0.Disciplines, d => Assert.Equal((PlanStage.Draft, 0), (d.Plan, d.Activities.Planned + d.Activities.Done)));
        // t1: all approved, two activities planned: green.
        Assert.Equal((Rag.Green, 0), (at1.Rag, at1.Reasons.Count));
        Assert.All(at1.Disciplines, d => Assert.Equal(PlanStage.Approved, d.Plan));
        Assert.Equal((1, 1, 1), (Of(at1, Discipline.Advertising).Activities.Planned, Of(at1, Discipline.Crm).Activities.Planned, Of(at1, Discipline.Digital).Activities.Planned));
        // t2: the mailing moved before the film ends: the dependency on the critical path is in conflict — red.
        Assert.Equal(Rag.Red, at2.Rag);
        Assert.Equal(("critical-connection-broken-or-in-conflict", $"connection {dependency.Id}"), (at2.Reasons.Single().Rule, at2.Reasons.Single().About));
        Assert.Equal([Discipline.Advertising, Discipline.Crm], at2.Reasons.Single().Disciplines);
        Assert.Equal(1, Of(at2, Discipline.Crm).Connections.InConflict);
        // t3: moved back, the film done: green again.
        Assert.Equal((Rag.Green, 1, 0), (at3.Rag, Of(at3, Discipline.Advertising).Activities.Done, Of(at3, Discipline.Crm).Connections.InConflict));
        // As of now is the live status, field for field.
        Assert.Equal(JsonSerializer.Serialize(live), JsonSerializer.Serialize(asOfNow));
        Assert.Equal(JsonSerializer.Serialize(live), JsonSerializer.Serialize(at3));
        Assert.Contains("asOf", before.Result.Errors!.Keys);
        Assert.Contains("asOf", future.Result.Errors!.Keys);
    }

    [Fact]
    public async Task what_changed_between_two_moments_names_the_activities_connections_reasons_and_rag()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var (film, mailing) = await FilmAndMailingApprovedAsync(w);
        var t1 = await MomentAsync();
        var dependency = await w.DependencyAsync(film, mailing, title: "Mailing follows the film");
        mailing = await MoveAsync(w, mailing, March1.AddDays(4), March1.AddDays(14));
        var t2 = await MomentAsync();
        var advertising = w.Sides[Discipline.Advertising].Plans;
        film = await advertising.StartActivityAsync(film.PlanId, film.Id, film.Version);
        await advertising.CompleteActivityAsync(film.PlanId, film.Id, film.Version);
        await MoveAsync(w, mailing, March1.AddDays(20), March1.AddDays(30));

        var worse = await status.GetStatusChangesAsync(w.OutcomeId, t1, t2);
        var better = await status.GetStatusChangesAsync(w.OutcomeId, t2);
        var nothing = await status.GetStatusChangesAsync(w.OutcomeId, t2, t2);
        var backwards = await Assert.ThrowsAsync<ApiException<Problem>>(() => status.GetStatusChangesAsync(w.OutcomeId, t2, t1));

        Assert.Equal((Rag.Green, Rag.Red), (worse.RagThen, worse.RagNow));
        Assert.Equal(
            [
                (StatusChangeKind.RagChanged, $"outcome {w.OutcomeId}"),
                (StatusChangeKind.ReasonRaised, $"connection {dependency.Id}"),
                (StatusChangeKind.ActivityMoved, $"activity {mailing.Id}"),
                (StatusChangeKind.ConnectionAdded, $"connection {dependency.Id}"),
            ],
            worse.Changes.Select(c => (c.Kind, c.About)));
        Assert.Contains("start -16 days", worse.Changes.Single(c => c.Kind == StatusChangeKind.ActivityMoved).Detail);
        Assert.Contains("in conflict", worse.Changes.Single(c => c.Kind == StatusChangeKind.ConnectionAdded).Detail);

        Assert.Equal((Rag.Red, Rag.Green), (better.RagThen, better.RagNow));
        Assert.Equal(
            [
                (StatusChangeKind.RagChanged, $"outcome {w.OutcomeId}"),
                (StatusChangeKind.ReasonCleared, $"connection {dependency.Id}"),
                (StatusChangeKind.PlanChanged, $"plan {film.PlanId}"),
                (StatusChangeKind.ActivityFinished, $"activity {film.Id}"),
                (StatusChangeKind.ActivityMoved, $"activity {mailing.Id}"),
                (StatusChangeKind.ConnectionChanged, $"connection {dependency.Id}"),
            ],
            better.Changes.Select(c => (c.Kind, c.About)));
        Assert.Contains("Approved → Completed", better.Changes.Single(c => c.Kind == StatusChangeKind.PlanChanged).Detail);
        Assert.Contains("no longer in conflict", better.Changes.Single(c => c.Kind == StatusChangeKind.ConnectionChanged).Detail);
        Assert.Empty(nothing.Changes);
        Assert.Contains("since", backwards.Result.Errors!.Keys);
    }

    [Fact]
    public async Task a_baseline_keeps_its_moment_and_the_variance_shows_dates_spend_and_kpi_progress_moved_since()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var conductorKey = await w.World.Organisation.KeyAsync(Role.Conductor);
        var baselines = Api.Baselines(conductorKey);
        var (film, mailing) = await FilmAndMailingApprovedAsync(w);
        await Api.Results(conductorKey).ObserveKpiAsync(w.OutcomeId, "churn", new ObserveKpiRequest { Value = 4.2m });

        var saved = await baselines.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Board-approved plan", Note = "March board." }, "baseline-1");
        var replay = await baselines.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Board-approved plan", Note = "March board." }, "baseline-1");
        var sameName = await Assert.ThrowsAsync<ApiException<Problem>>(() => baselines.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "BOARD-APPROVED PLAN" }));
        await Task.Delay(30);

        await MoveAsync(w, mailing, March1.AddDays(25), March1.AddDays(37));
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
    public async Task concurrent_retries_of_one_baseline_key_save_one_and_bad_moments_are_named()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var baselines = Api.Baselines(await w.World.Organisation.KeyAsync(Role.Conductor));
        var saves = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => baselines.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Kick-off" }, "same-key")));
        var http = await w.World.Organisation.HttpAsAsync(Role.Cmo);

        Assert.Single(saves.Select(b => b.Id).Distinct());
        Assert.Single((await baselines.ListBaselinesAsync(w.OutcomeId)).Items);
        foreach (var (path, field) in new[]
        {
            ($"/outcomes/{w.OutcomeId}/status?asOf=yesterday", "asOf"),
            ($"/outcomes/{w.OutcomeId}/timeline?asOf=2026-13-45", "asOf"),
            ($"/outcomes/{w.OutcomeId}/status/changes", "since"),
            ($"/outcomes/{w.OutcomeId}/status/changes?since=soon", "since"),
            ($"/outcomes/{w.OutcomeId}/status/changes?since=2026-01-01T00:00:00Z&until=later", "until"),
            ($"/outcomes/{w.OutcomeId}/status/changes?since=2000-01-01T00:00:00Z", "since"),
            ($"/outcomes/{w.OutcomeId}/status/changes?since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z", "until"),
            ($"/outcomes/{w.OutcomeId}/timeline?asOf=2000-01-01T00:00:00Z", "asOf"),
        })
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.BadRequest, $"{path}: {response.StatusCode} {body}");
            Assert.Contains($"\"{field}\"", body, StringComparison.Ordinal);
        }
    }
}
