using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Marten;
using OrchestraApi.Sdk;

using OrchestraApi.Tests.Connections;

namespace OrchestraApi.Tests.Status;

/// <summary>Status as of past moments, what changed between them, and baselines with variance — through the SDK.</summary>
public sealed class StatusHistoryTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = new(2027, 3, 1);

    /// <summary>
    /// The moment between two steps, named by when it is taken: a change answered before it was committed before it (its
    /// events are stamped with their transaction's start, on the machine's one clock), and a request sent after it starts
    /// its transaction after it — no sleeping on either side.
    /// </summary>
    private static DateTimeOffset Now() => DateTimeOffset.UtcNow;

    private static DisciplineStatus Of(OutcomeStatusReport s, Discipline d) => s.Disciplines.Single(x => x.Discipline == d);

    [Fact]
    public async Task status_as_of_each_moment_of_a_scripted_history_is_what_it_was_then_and_as_of_now_equals_the_live_status()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var beforeOutcome = w.World.Outcome.DefinedAt.AddSeconds(-1);
        var drafted = Now();

        var (film, mailing) = await ScriptedOutcome.FilmAndMailingApprovedAsync(w);
        var approved = Now();

        var dependency = await w.DependencyAsync(film, mailing, title: "Mailing follows the film");
        mailing = await ScriptedOutcome.MoveAsync(w, mailing, March1.AddDays(4), March1.AddDays(14));
        var inConflict = Now();

        await ScriptedOutcome.MoveAsync(w, mailing, March1.AddDays(20), March1.AddDays(30));
        var advertising = w.Sides[Discipline.Advertising].Plans;
        film = await advertising.StartActivityAsync(film.PlanId, film.Id, film.Version);
        await advertising.CompleteActivityAsync(film.PlanId, film.Id, film.Version);
        var resolved = Now();

        var atDrafted = await status.GetOutcomeStatusAsync(w.OutcomeId, drafted);
        var atApproved = await status.GetOutcomeStatusAsync(w.OutcomeId, approved);
        var atConflict = await status.GetOutcomeStatusAsync(w.OutcomeId, inConflict);
        var atResolved = await status.GetOutcomeStatusAsync(w.OutcomeId, resolved);
        var live = await status.GetOutcomeStatusAsync(w.OutcomeId);
        var asOfNow = await status.GetOutcomeStatusAsync(w.OutcomeId, DateTimeOffset.UtcNow);
        var before = await Assert.ThrowsAsync<ApiException<Problem>>(() => status.GetOutcomeStatusAsync(w.OutcomeId, beforeOutcome));
        var future = await Assert.ThrowsAsync<ApiException<Problem>>(() => status.GetOutcomeStatusAsync(w.OutcomeId, DateTimeOffset.UtcNow.AddHours(1)));

        // drafted: four drafted plans, nothing scheduled.
        Assert.Equal(Rag.Amber, atDrafted.Rag);
        Assert.Equal(4, atDrafted.Reasons.Count(r => r.Rule == "discipline-without-approved-plan"));
        Assert.All(atDrafted.Disciplines, d => Assert.Equal((PlanStage.Draft, 0), (d.Plan, d.Activities.Planned + d.Activities.Done)));
        // approved: all approved, two activities planned: green.
        Assert.Equal((Rag.Green, 0), (atApproved.Rag, atApproved.Reasons.Count));
        Assert.All(atApproved.Disciplines, d => Assert.Equal(PlanStage.Approved, d.Plan));
        Assert.Equal((1, 1, 1), (Of(atApproved, Discipline.Advertising).Activities.Planned, Of(atApproved, Discipline.Crm).Activities.Planned, Of(atApproved, Discipline.Digital).Activities.Planned));
        // inConflict: the mailing moved before the film ends: the dependency on the critical path is in conflict — red.
        Assert.Equal(Rag.Red, atConflict.Rag);
        Assert.Equal(("critical-connection-broken-or-in-conflict", $"connection {dependency.Id}"), (atConflict.Reasons.Single().Rule, atConflict.Reasons.Single().About));
        Assert.Equal([Discipline.Advertising, Discipline.Crm], atConflict.Reasons.Single().Disciplines);
        Assert.Equal(1, Of(atConflict, Discipline.Crm).Connections.InConflict);
        // resolved: moved back, the film done: green again.
        Assert.Equal((Rag.Green, 1, 0), (atResolved.Rag, Of(atResolved, Discipline.Advertising).Activities.Done, Of(atResolved, Discipline.Crm).Connections.InConflict));
        // As of now is the live status, field for field.
        Assert.Equal(JsonSerializer.Serialize(live), JsonSerializer.Serialize(asOfNow));
        Assert.Equal(JsonSerializer.Serialize(live), JsonSerializer.Serialize(atResolved));
        Assert.Contains("asOf", before.Result.Errors!.Keys);
        Assert.Contains("asOf", future.Result.Errors!.Keys);
    }

    [Fact]
    public async Task what_changed_between_two_moments_names_the_activities_connections_reasons_and_rag()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var (film, mailing) = await ScriptedOutcome.FilmAndMailingApprovedAsync(w);
        var approved = Now();
        var dependency = await w.DependencyAsync(film, mailing, title: "Mailing follows the film");
        mailing = await ScriptedOutcome.MoveAsync(w, mailing, March1.AddDays(4), March1.AddDays(14));
        var inConflict = Now();
        var advertising = w.Sides[Discipline.Advertising].Plans;
        film = await advertising.StartActivityAsync(film.PlanId, film.Id, film.Version);
        await advertising.CompleteActivityAsync(film.PlanId, film.Id, film.Version);
        await ScriptedOutcome.MoveAsync(w, mailing, March1.AddDays(20), March1.AddDays(30));

        var worse = await status.GetStatusChangesAsync(w.OutcomeId, approved, inConflict);
        var better = await status.GetStatusChangesAsync(w.OutcomeId, inConflict);
        var nothing = await status.GetStatusChangesAsync(w.OutcomeId, inConflict, inConflict);
        var backwards = await Assert.ThrowsAsync<ApiException<Problem>>(() => status.GetStatusChangesAsync(w.OutcomeId, inConflict, approved));

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
    public async Task as_of_reads_the_outcomes_events_by_one_range_of_its_index_which_marten_leaves_in_place()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var (film, mailing) = await ScriptedOutcome.FilmAndMailingApprovedAsync(w);
        await w.DependencyAsync(film, mailing, title: "Mailing follows the film");

        // Marten's own schema check runs again (as at every start) and leaves the index it was told to ignore.
        await Api.Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        await using var session = Api.Store.QuerySession(w.World.Organisation.Id.ToString());
        var versions = await OrchestraApi.Status.OutcomeEventIndex.VersionsAtAsync(session, w.OutcomeId, DateTimeOffset.UtcNow, CancellationToken.None);
        // Every stream of the outcome — its own, its plans', activities', connection graph's and results' — at its version now.
        var outcome = await session.LoadAsync<OrchestraApi.Outcomes.Outcome>(w.OutcomeId);
        var filmNow = await session.LoadAsync<OrchestraApi.Plans.Activity>(film.Id);
        var graph = await session.LoadAsync<OrchestraApi.Connections.ConnectionGraph>(OrchestraApi.Connections.ConnectionGraph.IdOf(w.OutcomeId));
        var results = await session.LoadAsync<OrchestraApi.Results.OutcomeResults>(OrchestraApi.Results.OutcomeResults.IdOf(w.OutcomeId));
        Assert.Equal(outcome!.Version, versions[w.OutcomeId]);
        Assert.Equal(filmNow!.Version, versions[film.Id]);
        Assert.Equal(graph!.Version, versions[graph.Id]);
        Assert.Equal(results!.Version, versions[results.Id]);
        Assert.Contains(mailing.PlanId, versions.Keys);
        var plans = await session.Query<OrchestraApi.Plans.Plan>().Where(p => p.OutcomeId == w.OutcomeId).Select(p => p.Id).ToListAsync();
        var activities = await session.Query<OrchestraApi.Plans.Activity>().Where(a => a.OutcomeId == w.OutcomeId).Select(a => a.Id).ToListAsync();
        Assert.Equal(new[] { w.OutcomeId, graph.Id, results.Id }.Concat(plans).Concat(activities).Order(), versions.Keys.Order());
        var before = await OrchestraApi.Status.OutcomeEventIndex.VersionsAtAsync(session, w.OutcomeId, w.World.Outcome.DefinedAt.AddSeconds(-1), CancellationToken.None);
        Assert.Empty(before);

        var sql = OrchestraApi.Status.OutcomeEventIndex.VersionsAtSql("public");
        var numbered = string.Concat(sql.Split('?').Select((part, i) => i == 0 ? part : $"${i}{part}"));
        await using var database = new Npgsql.NpgsqlConnection(Api.ConnectionString);
        await database.OpenAsync();
        // Neither a sequential scan nor a bitmap of the organisation's index (which statistics left by the rest of the
        // suite can make look as cheap on a table this small): is the outcome's range one index scan?
        await using (var noScans = new Npgsql.NpgsqlCommand("set enable_seqscan = off; set enable_bitmapscan = off", database))
        {
            await noScans.ExecuteNonQueryAsync();
        }

        await using var explain = new Npgsql.NpgsqlCommand("explain " + numbered, database);
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = w.World.Organisation.Id.ToString() });
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = w.OutcomeId.ToString() });
        explain.Parameters.Add(new Npgsql.NpgsqlParameter { Value = DateTimeOffset.UtcNow });

        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.Contains(plan, line => line.Contains($"Index Scan using {OrchestraApi.Status.OutcomeEventIndex.Name}", StringComparison.Ordinal)
            || line.Contains($"Bitmap Index Scan on {OrchestraApi.Status.OutcomeEventIndex.Name}", StringComparison.Ordinal));
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
