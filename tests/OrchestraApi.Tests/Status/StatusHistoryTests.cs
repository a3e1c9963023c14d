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

    private static DisciplineStatus Of(OutcomeStatusReport s, Discipline d) => s.Disciplines.Single(x => x.Discipline == d);

    [Fact]
    public async Task status_as_of_each_moment_of_a_scripted_history_is_what_it_was_then_and_as_of_now_equals_the_live_status()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var beforeOutcome = w.World.Outcome.DefinedAt.AddSeconds(-1);
        var t0 = await MomentAsync();

        var (film, mailing) = await ScriptedOutcome.FilmAndMailingApprovedAsync(w);
        var t1 = await MomentAsync();

        var dependency = await w.DependencyAsync(film, mailing, title: "Mailing follows the film");
        mailing = await ScriptedOutcome.MoveAsync(w, mailing, March1.AddDays(4), March1.AddDays(14));
        var t2 = await MomentAsync();

        await ScriptedOutcome.MoveAsync(w, mailing, March1.AddDays(20), March1.AddDays(30));
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
        var (film, mailing) = await ScriptedOutcome.FilmAndMailingApprovedAsync(w);
        var t1 = await MomentAsync();
        var dependency = await w.DependencyAsync(film, mailing, title: "Mailing follows the film");
        mailing = await ScriptedOutcome.MoveAsync(w, mailing, March1.AddDays(4), March1.AddDays(14));
        var t2 = await MomentAsync();
        var advertising = w.Sides[Discipline.Advertising].Plans;
        film = await advertising.StartActivityAsync(film.PlanId, film.Id, film.Version);
        await advertising.CompleteActivityAsync(film.PlanId, film.Id, film.Version);
        await ScriptedOutcome.MoveAsync(w, mailing, March1.AddDays(20), March1.AddDays(30));

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
    public async Task bad_moments_are_named()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var http = await w.World.Organisation.HttpAsAsync(Role.Cmo);

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
