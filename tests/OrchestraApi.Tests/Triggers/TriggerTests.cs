using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Webhooks;
using StandardWebhooks;

namespace OrchestraApi.Tests.Triggers;

/// <summary>Opportunity triggers (issue 22): defined under the house conventions, fired by the change or the moment that makes them true.</summary>
public sealed class TriggerTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task a_kpi_trigger_fires_on_the_observation_that_crosses_and_not_before_with_its_evidence_on_the_feed_and_to_webhooks_then_clears_and_rearms()
    {
        await using var receiver = await Receiver.StartAsync();
        var world = await WorldAsync();
        var endpoint = await Api.Webhooks(await world.Organisation.KeyAsync(Role.Admin))
            .RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = receiver.Url, Types = ["orchestra.trigger.fired.v1"] });
        var halfway = await world.Triggers.DefineTriggerAsync(Crossing(world.Outcome.Id, "Members halfway", 50));
        // Fires on every observation used here above 30 %: when it has fired, the evaluation that saw the observation is done.
        var barrier = await world.Triggers.DefineTriggerAsync(Crossing(world.Outcome.Id, "Members under way", 30));

        var below = await ObserveAsync(world, 140m);
        await UntilAsync(() => FiringsAsync(world, barrier.Id), f => f.Count == 1);
        Assert.Empty(await FiringsAsync(world, halfway.Id));

        var crossing = await ObserveAsync(world, 160m);
        var fired = Assert.Single(await UntilAsync(() => FiringsAsync(world, halfway.Id), f => f.Count == 1));
        await ObserveAsync(world, 150m);
        await ObserveAsync(world, 120m);
        var cleared = await UntilAsync(() => FiringsAsync(world, halfway.Id), f => f.Count == 1 && f[0].State == TriggerFiringState.Cleared);
        await ObserveAsync(world, 170m);
        var again = await UntilAsync(() => FiringsAsync(world, halfway.Id), f => f.Count == 2);

        // The evidence: the rule's version, the values evaluated, the position of the observation that made it true.
        Assert.Equal((halfway.Version, "kpi members", TriggerFiringState.Open), (fired.TriggerVersion, fired.Subject, fired.State));
        Assert.Equal(60m, fired.Values["progress"]);
        Assert.Equal(50m, fired.Values["threshold"]);
        var feed = Api.Events(await world.Organisation.KeyAsync(Role.Cmo));
        await Api.WaitForProjectionsAsync();
        var observations = (await feed.ListEventsAsync(types: "orchestra.kpi_observation.recorded.v1")).Items;
        Assert.Equal(observations.Single(e => e.Subject.EndsWith($"/{crossing}", StringComparison.Ordinal)).Position, fired.Positions[^1]);
        Assert.DoesNotContain(observations.Single(e => e.Subject.EndsWith($"/{below}", StringComparison.Ordinal)).Position, fired.Positions);
        Assert.Contains("60 %", fired.Summary, StringComparison.Ordinal);
        // Held at 150 (50 %): no second firing (the wait for one cleared firing would have seen two); cleared at 120, fired again at 170.
        Assert.Equal(TriggerFiringState.Cleared, cleared[0].State);
        Assert.Equal("The condition no longer holds.", cleared[0].ClearedBecause);
        Assert.Equal([TriggerFiringState.Cleared, TriggerFiringState.Open], again.OrderBy(f => f.FiredAt).Select(f => f.State));
        Assert.NotEqual(again[0].Id, again[1].Id);

        // On the feed, as the catalogue says, and to the webhook endpoint, signed.
        var events = (await feed.ListEventsAsync(resource: "trigger")).Items;
        var onFeed = events.Single(e => e.Type == "orchestra.trigger.fired.v1" && e.Subject == $"/triggers/{halfway.Id}/firings/{fired.Id}");
        Assert.Equal(world.Outcome.Id.ToString(), onFeed.Partitionkey);
        var payload = Assert.IsType<EventDataOfTriggerFiringDetails>(onFeed.Payload());
        Assert.Equal((fired.Id, fired.Summary), (payload.Object.Id, payload.Object.Summary));
        Assert.Contains(events, e => e.Type == "orchestra.trigger.cleared.v1" && e.Subject == onFeed.Subject);
        Assert.Contains(events, e => e.Type == "orchestra.trigger.defined.v1" && e.Subject == $"/triggers/{halfway.Id}");
        var received = await receiver.UntilAsync(r => r.Any(x => x.Id == onFeed.Id));
        var delivery = received.First(x => x.Id == onFeed.Id);
        new StandardWebhook(endpoint.Secret!).Verify(delivery.Body, delivery.Headers);
        Assert.Equal(fired.Id.ToString(), delivery.Json.GetProperty("data").GetProperty("object").GetProperty("id").GetString());
    }

    [Fact]
    public async Task a_time_driven_trigger_fires_within_a_tick_of_the_moment_on_a_clock_the_test_moves_and_clears_when_acknowledged()
    {
        var clock = new MovableClock(DateTimeOffset.UtcNow);
        var fresh = await Api.StartFreshApiAsync(configure: host => host.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        try
        {
            var w = await ConnectionWorld.CreateAsync(fresh);
            var march1 = new DateOnly(2027, 3, 1);
            var activities = new List<ActivityDetails>();
            foreach (var discipline in w.Sides.Keys)
            {
                activities.Add(await w.ActivityAsync(discipline, $"{discipline} work", march1.AddDays(activities.Count * 10), march1.AddDays((activities.Count * 10) + 5)));
            }

            await w.ApproveAllAsync();
            var (first, second) = (activities[0], activities[1]);
            var triggers = fresh.Triggers(await w.World.Organisation.KeyAsync(Role.Conductor));
            var trigger = await triggers.DefineTriggerAsync(new DefineTriggerRequest
            {
                Name = "Waiting too long",
                Condition = new TriggerCondition { Kind = TriggerKind.AcknowledgementOverdue, Days = 3 },
                Scope = new TriggerScope { OutcomeIds = [w.OutcomeId] },
            });
            var connection = await w.DependencyAsync(first, second);

            clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1));
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            var almost = (await triggers.ListTriggerFiringsAsync(trigger.Id)).Items;
            clock.Advance(TimeSpan.FromMinutes(2));
            var overdue = await UntilAsync(async () => (await triggers.ListTriggerFiringsAsync(trigger.Id)).Items.ToList(), f => f.Count == 1);

            var from = w.Sides[w.DisciplineOf(first)].Connections;
            var to = w.Sides[w.DisciplineOf(second)].Connections;
            var acknowledged = await from.AcknowledgeConnectionAsync(w.OutcomeId, connection.Id, connection.Version, new AcknowledgeConnectionRequest());
            await to.AcknowledgeConnectionAsync(w.OutcomeId, connection.Id, acknowledged.Version, new AcknowledgeConnectionRequest());
            var cleared = await UntilAsync(async () => (await triggers.ListTriggerFiringsAsync(trigger.Id)).Items.ToList(), f => f[0].State == TriggerFiringState.Cleared);

            Assert.Empty(almost);
            Assert.Equal($"connection {connection.Id}", overdue[0].Subject);
            Assert.Empty(overdue[0].Positions);
            Assert.Equal([w.DisciplineOf(first), w.DisciplineOf(second)], overdue[0].Disciplines.Order());
            Assert.Single(cleared);
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task concurrent_observations_that_all_cross_fire_the_trigger_once()
    {
        var world = await WorldAsync();
        var trigger = await world.Triggers.DefineTriggerAsync(Crossing(world.Outcome.Id, "Members halfway", 50));

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => ObserveAsync(world, 160m + i)));
        var firings = await UntilAsync(() => FiringsAsync(world, trigger.Id), f => f.Count >= 1);
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Single(await FiringsAsync(world, trigger.Id));
        Assert.Equal(TriggerFiringState.Open, firings[0].State);
    }

    [Fact]
    public async Task triggers_follow_the_house_conventions_location_etag_if_match_idempotency_and_history()
    {
        var world = await WorldAsync();
        using var http = Api.Http(await world.Organisation.KeyAsync(Role.Conductor));
        using var created = await http.PostAsJsonAsync(new Uri("/triggers", UriKind.Relative), new
        {
            name = "Spend watch", condition = new { kind = "SpendOverBudget", level = "Outcome", percent = 80 }, scope = new { outcomeIds = new[] { world.Outcome.Id } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var trigger = (await created.Content.ReadFromJsonAsync<TriggerDetails>(Json))!;
        Assert.Equal($"/triggers/{trigger.Id}", created.Headers.Location!.ToString());
        Assert.Equal("\"1\"", created.Headers.ETag!.Tag);
        Assert.Equal(RearmPolicy.UntilCleared, trigger.Rearm.Policy);

        var revised = await world.Triggers.ReviseTriggerAsync(trigger.Id, trigger.Version, new ReviseTriggerRequest { Enabled = false, Rearm = new TriggerRearm { Policy = RearmPolicy.AtMostEvery, Hours = 24 } });
        Assert.Equal(412, await ApiCalls.StatusOf(() => world.Triggers.ReviseTriggerAsync(trigger.Id, trigger.Version, new ReviseTriggerRequest { Name = "Stale" })));
        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ApiCalls.StatusOf(() => world.Triggers.ReviseTriggerAsync(trigger.Id, revised.Version, new ReviseTriggerRequest { Name = $"Writer {i}" }))));
        Assert.Equal((1, 7), (statuses.Count(s => s == 200), statuses.Count(s => s == 412)));

        var key = Guid.NewGuid().ToString();
        var defined = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/triggers", UriKind.Relative))
            {
                Content = JsonContent.Create(new { name = "Once", condition = new { kind = "RagAtLeast", rag = "Red" }, scope = new { outcomeIds = new[] { world.Outcome.Id } } }),
            };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await http.SendAsync(request);
            return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        }));
        Assert.All(defined, d => Assert.Equal(HttpStatusCode.Created, d.StatusCode));
        Assert.Single(defined.Select(d => d.Item2).Distinct());

        var history = await world.Triggers.GetTriggerHistoryAsync(trigger.Id);
        Assert.Equal(["Defined", "Revised", "Revised"], history.Items.Select(c => c.Change));
        Assert.False(history.Items[1].Trigger.Enabled);
        var all = await world.Triggers.ListTriggersAsync();
        Assert.Equal(2, all.Items.Count);
        Assert.Equal([trigger.Id], (await world.Triggers.ListTriggersAsync(enabled: false)).Items.Select(t => t.Id));
        Assert.Equal([trigger.Id], (await world.Triggers.ListTriggersAsync(kind: TriggerKind.SpendOverBudget)).Items.Select(t => t.Id));
        Assert.Empty((await world.Triggers.ListTriggersAsync(outcomeId: Guid.NewGuid())).Items);
    }

    [Fact]
    public async Task only_admins_watch_the_whole_organisation_cmos_read_agencies_see_nothing_and_another_organisation_finds_none()
    {
        var world = await WorldAsync();
        var admin = Api.Triggers(await world.Organisation.KeyAsync(Role.Admin));
        var wide = await admin.DefineTriggerAsync(new DefineTriggerRequest { Name = "Anything red", Condition = new TriggerCondition { Kind = TriggerKind.RagAtLeast, Rag = RagLevel.Red } });
        var mine = await world.Triggers.DefineTriggerAsync(Crossing(world.Outcome.Id, "Mine", 50));

        Assert.Equal(403, await ApiCalls.StatusOf(() => world.Triggers.DefineTriggerAsync(new DefineTriggerRequest { Name = "Too wide", Condition = new TriggerCondition { Kind = TriggerKind.RagAtLeast, Rag = RagLevel.Amber } })));
        Assert.Equal(403, await ApiCalls.StatusOf(() => world.Triggers.ReviseTriggerAsync(wide.Id, wide.Version, new ReviseTriggerRequest { Name = "Mine now" })));
        Assert.Equal(403, await ApiCalls.StatusOf(() => world.Triggers.ReviseTriggerAsync(mine.Id, mine.Version, new ReviseTriggerRequest { Scope = new TriggerScope() })));
        var cmo = Api.Triggers(await world.Organisation.KeyAsync(Role.Cmo));
        Assert.Equal(2, (await cmo.ListTriggersAsync()).Items.Count);
        Assert.Equal(403, await ApiCalls.StatusOf(() => cmo.DefineTriggerAsync(Crossing(world.Outcome.Id, "CMO", 50))));
        foreach (var role in new[] { Role.Agency, Role.Orchestrator })
        {
            var other = Api.Triggers(await world.Organisation.KeyAsync(role, Discipline.Crm));
            Assert.Equal(403, await ApiCalls.StatusOf(() => other.ListTriggersAsync()));
            Assert.Equal(403, await ApiCalls.StatusOf(() => other.GetTriggerAsync(mine.Id)));
            Assert.Equal(403, await ApiCalls.StatusOf(() => other.DefineTriggerAsync(Crossing(world.Outcome.Id, "Agency", 50))));
        }

        var stranger = await Api.NewOrganisationAsync();
        var theirs = Api.Triggers(await stranger.KeyAsync(Role.Admin));
        Assert.Empty((await theirs.ListTriggersAsync()).Items);
        Assert.Equal(404, await ApiCalls.StatusOf(() => theirs.GetTriggerAsync(mine.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => theirs.ListTriggerFiringsAsync(mine.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => theirs.ReviseTriggerAsync(mine.Id, mine.Version, new ReviseTriggerRequest { Name = "Theirs" })));
        // Their outcome is not ours to watch.
        Assert.Equal(400, await ApiCalls.StatusOf(() => theirs.DefineTriggerAsync(Crossing(world.Outcome.Id, "Not theirs", 50))));
        Assert.Equal(mine.Version, (await world.Triggers.GetTriggerAsync(mine.Id)).Version);
    }

    [Fact]
    public async Task absurd_unknown_and_hostile_conditions_are_400s_naming_the_field_and_define_nothing()
    {
        var world = await WorldAsync();
        using var http = Api.Http(await world.Organisation.KeyAsync(Role.Admin));
        var outcome = world.Outcome.Id;
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200);
        foreach (var (body, field) in new (string, string)[]
        {
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"Telepathy\"}}", "condition.kind"),
            ("{\"name\":\"x\",\"condition\":{}}", "condition.kind"),
            ("{\"name\":\"x\"}", "condition"),
            ("{\"condition\":{\"kind\":\"RagAtLeast\",\"rag\":\"Red\"}}", "name"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"RagAtLeast\"}}", "condition.rag"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"RagAtLeast\",\"rag\":\"Red\",\"points\":5}}", "condition.points"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"KpiBehindPace\",\"points\":101}}", "condition.points"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"KpiBehindPace\",\"points\":\"ten\"}}", "condition.points"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"KpiBehindPace\",\"points\":1e400}}", "condition.points"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"KpiProgressCrossed\",\"kpi\":\"members\"}}", "condition.progress"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"KpiProgressCrossed\",\"kpi\":\"mem\\u0000bers\",\"progress\":5}}", "condition.kpi"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"SpendOverBudget\",\"level\":\"Galaxy\",\"percent\":80}}", "condition.level"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"SpendOverBudget\",\"level\":\"Plan\",\"percent\":0}}", "condition.percent"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"AcknowledgementOverdue\",\"days\":0}}", "condition.days"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"ActivityEndedWithoutResults\",\"days\":99999999999}}", "condition.days"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"ActivityMetric\",\"metric\":\"Roi\",\"direction\":\"Below\",\"value\":0.1,\"minRows\":-1}}", "condition.minRows"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"RagAtLeast\",\"rag\":\"Red\",\"code\":\"System.IO.File.Delete('/')\"}}", "condition.code"),
            ("{\"name\":\"bad\\u0000name\",\"condition\":{\"kind\":\"RagAtLeast\",\"rag\":\"Red\"}}", "name"),
            ($"{{\"name\":\"{new string('n', 201)}\",\"condition\":{{\"kind\":\"RagAtLeast\",\"rag\":\"Red\"}}}}", "name"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"RagAtLeast\",\"rag\":\"Red\"},\"rearm\":{\"policy\":\"AtMostEvery\"}}", "rearm.hours"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"RagAtLeast\",\"rag\":\"Red\"},\"rearm\":{\"policy\":\"UntilCleared\",\"hours\":5}}", "rearm.hours"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"RagAtLeast\",\"rag\":\"Red\"},\"rearm\":{\"policy\":\"AtMostEvery\",\"hours\":8761}}", "rearm.hours"),
            ($"{{\"name\":\"x\",\"condition\":{{\"kind\":\"RagAtLeast\",\"rag\":\"Red\"}},\"scope\":{{\"outcomeIds\":[\"{Guid.NewGuid()}\"]}}}}", "scope.outcomeIds"),
            ($"{{\"name\":\"x\",\"condition\":{{\"kind\":\"RagAtLeast\",\"rag\":\"Red\"}},\"scope\":{{\"outcomeIds\":[{string.Join(',', Enumerable.Repeat($"\"{outcome}\"", 51))}]}}}}", "scope.outcomeIds"),
            ("{\"name\":\"x\",\"condition\":{\"kind\":\"RagAtLeast\",\"rag\":\"Red\"},\"scope\":{\"disciplines\":[\"Telepathy\"]}}", "scope.disciplines"),
            ("{\"name\":\"x\",\"condition\":" + deep + "}", "condition"),
        })
        {
            using var response = await http.PostAsync(new Uri("/triggers", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body[..Math.Min(body.Length, 200)]}: {(int)response.StatusCode} {problem}");
            Assert.True(
                problem.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any(e => e.Name.StartsWith(field, StringComparison.OrdinalIgnoreCase) || field.StartsWith(e.Name, StringComparison.OrdinalIgnoreCase) || e.Name is "$" or "body"),
                $"{body[..Math.Min(body.Length, 200)]}: {problem}");
        }

        Assert.Empty((await Api.Triggers(await world.Organisation.KeyAsync(Role.Admin)).ListTriggersAsync()).Items);
    }


    [Fact]
    public async Task a_dry_run_answers_exactly_the_firings_the_history_implies_and_changes_nothing()
    {
        var world = await WorldAsync();
        // A saved trigger, disabled: only the dry run evaluates it.
        var disabled = Crossing(world.Outcome.Id, "Members halfway", 50);
        disabled.Enabled = false;
        var saved = await world.Triggers.DefineTriggerAsync(disabled);
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        foreach (var value in new[] { 140m, 160m, 150m, 120m, 170m, 110m, 180m })
        {
            await ObserveAsync(world, value);
        }

        await Api.WaitForProjectionsAsync();
        var cmo = await world.Organisation.KeyAsync(Role.Cmo);
        var feed = Api.Events(cmo);
        var headBefore = (await feed.ListEventsAsync(limit: 1)).Head;
        var statusBefore = await Api.Status(cmo).GetOutcomeStatusAsync(world.Outcome.Id);

        // Independently: each observation's commit and value from the feed; the KPI runs from 100 to 200, so progress = value − 100.
        var observed = (await feed.ListEventsAsync(types: "orchestra.kpi_observation.recorded.v1")).Items
            .Select(e => (e.Time, Progress: ((JsonElement)e.Data).GetProperty("object").GetProperty("value").GetDecimal() - 100m)).ToList();
        var expected = new List<(DateTimeOffset At, DateTimeOffset? ClearedAt)>();
        foreach (var (time, progress) in observed)
        {
            var open = expected.Count > 0 && expected[^1].ClearedAt is null;
            if (progress >= 50 && !open)
            {
                expected.Add((time, null));
            }
            else if (progress < 50 && open)
            {
                expected[^1] = (expected[^1].At, time);
            }
        }

        var bySaved = await Api.Triggers(cmo).DryRunTriggerAsync(new DryRunTriggerRequest { TriggerId = saved.Id, From = from });
        var byCondition = await world.Triggers.DryRunTriggerAsync(new DryRunTriggerRequest { Condition = saved.Condition, Scope = saved.Scope, From = from, To = DateTimeOffset.UtcNow });

        Assert.Equal(3, expected.Count);
        Assert.Equal(expected, bySaved.Firings.Select(f => (f.At, f.ClearedAt)));
        Assert.All(bySaved.Firings, f => Assert.Equal(("kpi members", world.Outcome.Id), (f.Subject, f.OutcomeId)));
        Assert.Equal(bySaved.Firings.Select(f => (f.At, f.ClearedAt, f.Summary)), byCondition.Firings.Select(f => (f.At, f.ClearedAt, f.Summary)));
        Assert.Equal((1, false), (bySaved.Outcomes, bySaved.Truncated));
        Assert.True(bySaved.Moments >= observed.Count);
        // Nothing changed: no firing, no feed event, the same status.
        Assert.Empty(await FiringsAsync(world, saved.Id));
        Assert.Equal(headBefore, (await feed.ListEventsAsync(limit: 1)).Head);
        Assert.Equal(statusBefore.Rag, (await Api.Status(cmo).GetOutcomeStatusAsync(world.Outcome.Id)).Rag);

        // Bad periods and bodies are 400s naming the field; a stranger's trigger is a 404; agencies may not.
        Assert.Equal(400, await ApiCalls.StatusOf(() => world.Triggers.DryRunTriggerAsync(new DryRunTriggerRequest { TriggerId = saved.Id, Condition = saved.Condition, From = from })));
        Assert.Equal(400, await ApiCalls.StatusOf(() => world.Triggers.DryRunTriggerAsync(new DryRunTriggerRequest { From = from })));
        Assert.Equal(400, await ApiCalls.StatusOf(() => world.Triggers.DryRunTriggerAsync(new DryRunTriggerRequest { TriggerId = saved.Id, From = from, To = from.AddSeconds(-1) })));
        Assert.Equal(400, await ApiCalls.StatusOf(() => world.Triggers.DryRunTriggerAsync(new DryRunTriggerRequest { TriggerId = saved.Id, From = from.AddDays(-367) })));
        Assert.Equal(404, await ApiCalls.StatusOf(() => world.Triggers.DryRunTriggerAsync(new DryRunTriggerRequest { TriggerId = Guid.NewGuid(), From = from })));
        Assert.Equal(403, await ApiCalls.StatusOf(async () => await Api.Triggers(await world.Organisation.KeyAsync(Role.Agency, Discipline.Crm)).DryRunTriggerAsync(new DryRunTriggerRequest { TriggerId = saved.Id, From = from })));
    }

    [Fact]
    public async Task a_trigger_with_a_task_action_opens_a_task_its_discipline_completes_while_others_neither_see_nor_close_it()
    {
        var world = await WorldAsync();
        var trigger = Crossing(world.Outcome.Id, "Members halfway", 50);
        trigger.Actions = new TriggerActions { OpenTask = new TaskAction { Title = "Plan the members' welcome journey", Assignee = new TaskAssignee { Role = Role.Agency, Discipline = Discipline.Crm } } };
        var defined = await world.Triggers.DefineTriggerAsync(trigger);
        Assert.Equal(400, await ApiCalls.StatusOf(() => world.Triggers.ReviseTriggerAsync(defined.Id, defined.Version, new ReviseTriggerRequest
        {
            Actions = new TriggerActions { OpenTask = new TaskAction { Assignee = new TaskAssignee { Role = Role.Agency } } },
        })));

        await ObserveAsync(world, 160m);
        var firing = Assert.Single(await UntilAsync(() => FiringsAsync(world, defined.Id), f => f.Count == 1));
        var crm = Api.Tasks(await world.Organisation.KeyAsync(Role.Agency, Discipline.Crm));
        var opened = Assert.Single(await UntilAsync(async () => (await crm.ListTasksAsync()).Items.ToList(), t => t.Count == 1));
        Assert.Equal(("Plan the members' welcome journey", TaskState.Open, firing.Id, firing.Summary), (opened.Title, opened.State, opened.FiringId, opened.Evidence));

        var digital = Api.Tasks(await world.Organisation.KeyAsync(Role.Agency, Discipline.Digital));
        Assert.Empty((await digital.ListTasksAsync()).Items);
        Assert.Equal(404, await ApiCalls.StatusOf(() => digital.GetTaskAsync(opened.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => digital.CompleteTaskAsync(opened.Id, opened.Version, new CloseTaskRequest())));
        var cmo = Api.Tasks(await world.Organisation.KeyAsync(Role.Cmo));
        Assert.Single((await cmo.ListTasksAsync(state: TaskState.Open, triggerId: defined.Id)).Items);
        Assert.Equal(403, await ApiCalls.StatusOf(() => cmo.CompleteTaskAsync(opened.Id, opened.Version, new CloseTaskRequest())));
        Assert.Equal(400, await ApiCalls.StatusOf(() => crm.CompleteTaskAsync(opened.Id, opened.Version, new CloseTaskRequest { Note = "bad\u0000note" })));
        Assert.Equal(400, await ApiCalls.StatusOf(() => crm.CompleteTaskAsync(opened.Id, opened.Version, new CloseTaskRequest { Note = new string('n', 2001) })));
        using (var http = Api.Http(await world.Organisation.KeyAsync(Role.Agency, Discipline.Crm)))
        using (var unconditional = await http.PostAsJsonAsync(new Uri($"/tasks/{opened.Id}/complete", UriKind.Relative), new { }))
        {
            Assert.Equal(HttpStatusCode.PreconditionRequired, unconditional.StatusCode);
        }

        var done = await crm.CompleteTaskAsync(opened.Id, opened.Version, new CloseTaskRequest { Note = "Journey drafted." });
        Assert.Equal((TaskState.Done, "Journey drafted."), (done.State, done.Note));
        Assert.Equal(412, await ApiCalls.StatusOf(() => crm.DismissTaskAsync(opened.Id, opened.Version, new CloseTaskRequest())));
        Assert.Equal(409, await ApiCalls.StatusOf(() => crm.DismissTaskAsync(opened.Id, done.Version, new CloseTaskRequest())));
        Assert.Empty((await crm.ListTasksAsync(state: TaskState.Open)).Items);
        Assert.Empty((await Api.Tasks(await (await Api.NewOrganisationAsync()).KeyAsync(Role.Admin)).ListTasksAsync()).Items);

        await Api.WaitForProjectionsAsync();
        var feed = (await Api.Events(await world.Organisation.KeyAsync(Role.Agency, Discipline.Crm)).ListEventsAsync(resource: "task")).Items;
        Assert.Equal(["orchestra.task.opened.v1", "orchestra.task.completed.v1"], feed.Select(e => e.Type));
        Assert.Empty((await Api.Events(await world.Organisation.KeyAsync(Role.Agency, Discipline.Digital)).ListEventsAsync(resource: "task")).Items);
    }
    [Fact]
    public async Task a_flag_action_puts_a_reason_on_the_status_until_the_condition_clears_or_a_conductor_dismisses_it()
    {
        var world = await WorldAsync();
        var status = Api.Status(await world.Organisation.KeyAsync(Role.Cmo));
        var request = Crossing(world.Outcome.Id, "Members halfway", 50);
        using (var http = Api.Http(await world.Organisation.KeyAsync(Role.Conductor)))
        using (var levelless = await http.PostAsJsonAsync(new Uri("/triggers", UriKind.Relative), new
        {
            name = "No level", condition = new { kind = "KpiProgressCrossed", kpi = "members", progress = 50 }, scope = new { outcomeIds = new[] { world.Outcome.Id } }, actions = new { flag = new { } },
        }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, levelless.StatusCode);
            Assert.Contains("actions.flag.level", await levelless.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        request.Actions = new TriggerActions { Flag = new FlagAction { Level = RagLevel.Red } };
        var trigger = await world.Triggers.DefineTriggerAsync(request);
        Assert.Equal(RagLevel.Red, trigger.Actions.Flag!.Level);
        bool Flagged(OutcomeStatusReport report) => report.Reasons.Any(r => r.Rule == "trigger-flag" && r.About == $"trigger {trigger.Id}");

        await ObserveAsync(world, 160m);
        var firing = Assert.Single(await UntilAsync(() => FiringsAsync(world, trigger.Id), f => f.Count == 1));
        Assert.Equal((RagLevel.Red, FlagState.Raised), (firing.Flag!.Level, firing.Flag.State));
        var raised = await status.GetOutcomeStatusAsync(world.Outcome.Id);
        var reason = raised.Reasons.Single(r => r.Rule == "trigger-flag");
        Assert.Equal((Rag.Red, Rag.Red, $"trigger {trigger.Id}"), (raised.Rag, reason.Level, reason.About));
        Assert.Contains("Members halfway", reason.Detail, StringComparison.Ordinal);
        var portfolio = (await status.GetPortfolioAsync()).Items.Single(i => i.OutcomeId == world.Outcome.Id);
        Assert.Equal(Rag.Red, portfolio.Rag);
        Assert.Contains("trigger-flag", portfolio.Rules);
        var whileRaised = DateTimeOffset.UtcNow;

        // The condition clears: the flag leaves the status; the status as of a moment it was raised still shows it.
        await ObserveAsync(world, 120m);
        await UntilAsync(() => FiringsAsync(world, trigger.Id), f => f[0].State == TriggerFiringState.Cleared);
        Assert.False(Flagged(await status.GetOutcomeStatusAsync(world.Outcome.Id)));
        Assert.True(Flagged(await status.GetOutcomeStatusAsync(world.Outcome.Id, whileRaised)));
        Assert.Equal(FlagState.Cleared, (await world.Triggers.GetTriggerFiringAsync(trigger.Id, firing.Id)).Flag!.State);
        Assert.Equal(409, await ApiCalls.StatusOf(() => world.Triggers.DismissTriggerFlagAsync(trigger.Id, firing.Id, 2, new DismissTriggerFlagRequest())));

        // Raised again, then dismissed by a conductor: the reason goes, the firing stays open (no new firing while it holds).
        await ObserveAsync(world, 170m);
        var again = (await UntilAsync(() => FiringsAsync(world, trigger.Id), f => f.Count == 2)).Single(f => f.State == TriggerFiringState.Open);
        Assert.True(Flagged(await status.GetOutcomeStatusAsync(world.Outcome.Id)));
        var cmo = Api.Triggers(await world.Organisation.KeyAsync(Role.Cmo));
        Assert.Equal(403, await ApiCalls.StatusOf(() => cmo.DismissTriggerFlagAsync(trigger.Id, again.Id, again.Version, new DismissTriggerFlagRequest())));
        Assert.Equal(403, await ApiCalls.StatusOf(async () => await Api.Triggers(await world.Organisation.KeyAsync(Role.Agency, Discipline.Crm)).DismissTriggerFlagAsync(trigger.Id, again.Id, again.Version, new DismissTriggerFlagRequest())));
        Assert.Equal(404, await ApiCalls.StatusOf(async () => await Api.Triggers(await (await Api.NewOrganisationAsync()).KeyAsync(Role.Admin)).DismissTriggerFlagAsync(trigger.Id, again.Id, again.Version, new DismissTriggerFlagRequest())));
        Assert.Equal(404, await ApiCalls.StatusOf(() => world.Triggers.DismissTriggerFlagAsync(Guid.NewGuid(), again.Id, again.Version, new DismissTriggerFlagRequest())));
        Assert.Equal(400, await ApiCalls.StatusOf(() => world.Triggers.DismissTriggerFlagAsync(trigger.Id, again.Id, again.Version, new DismissTriggerFlagRequest { Note = "bad\u0000note" })));
        Assert.Equal(412, await ApiCalls.StatusOf(() => world.Triggers.DismissTriggerFlagAsync(trigger.Id, again.Id, again.Version + 1, new DismissTriggerFlagRequest())));
        Assert.Equal(400, await ApiCalls.StatusOf(() => world.Triggers.DismissTriggerFlagAsync(trigger.Id, again.Id, again.Version, new DismissTriggerFlagRequest { Note = new string('n', 2001) })));
        using (var http = Api.Http(await world.Organisation.KeyAsync(Role.Conductor)))
        {
            using (var unconditional = await http.PostAsJsonAsync(new Uri($"/triggers/{trigger.Id}/firings/{again.Id}/dismiss-flag", UriKind.Relative), new { }))
            {
                Assert.Equal(HttpStatusCode.PreconditionRequired, unconditional.StatusCode);
            }

            foreach (var body in new[] { "{\"note\": 42}", "{\"note\": \"unclosed", "{\"reason\": \"x\"}", "[]" })
            {
                using var hostile = new HttpRequestMessage(HttpMethod.Post, $"/triggers/{trigger.Id}/firings/{again.Id}/dismiss-flag") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
                hostile.Headers.TryAddWithoutValidation("If-Match", $"\"{again.Version}\"");
                using var refused = await http.SendAsync(hostile);
                Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{body} → {refused.StatusCode}");
            }
        }

        Assert.True(Flagged(await status.GetOutcomeStatusAsync(world.Outcome.Id)));
        var key = Guid.NewGuid().ToString();
        var dismissals = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => world.Triggers.DismissTriggerFlagAsync(trigger.Id, again.Id, again.Version, new DismissTriggerFlagRequest { Note = "Known lag." }, key)));
        Assert.Single(dismissals.Select(d => d.Version).Distinct());
        var dismissed = dismissals[0];
        Assert.Equal((TriggerFiringState.Open, FlagState.Dismissed, "Known lag."), (dismissed.State, dismissed.Flag!.State, dismissed.Flag.Note));
        Assert.False(Flagged(await status.GetOutcomeStatusAsync(world.Outcome.Id)));
        Assert.Equal(409, await ApiCalls.StatusOf(() => world.Triggers.DismissTriggerFlagAsync(trigger.Id, again.Id, dismissed.Version, new DismissTriggerFlagRequest())));
        await ObserveAsync(world, 175m);
        await ObserveAsync(world, 60m + 120m);
        Assert.Equal(2, (await FiringsAsync(world, trigger.Id)).Count);

        await Api.WaitForProjectionsAsync();
        var feed = (await Api.Events(await world.Organisation.KeyAsync(Role.Cmo)).ListEventsAsync(types: "orchestra.trigger.flag_dismissed.v1")).Items;
        Assert.Equal($"/triggers/{trigger.Id}/firings/{again.Id}", Assert.Single(feed).Subject);
    }

    [Fact]
    public async Task a_kpi_behind_pace_for_days_fires_only_once_it_has_lasted_that_long_on_a_clock_the_test_moves_and_starts_counting_again_after_it_clears()
    {
        var clock = new MovableClock(DateTimeOffset.UtcNow);
        var fresh = await Api.StartFreshApiAsync(configure: host => host.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        try
        {
            var world = await WorldAsync(fresh);
            // 110 of 100 → 200 is 10 % of the way with 31 % of the window gone: 21 points behind, more than 15.
            await ObserveAsync(world, 110m);
            var trigger = await world.Triggers.DefineTriggerAsync(new DefineTriggerRequest
            {
                Name = "Members lagging for two days",
                Condition = new TriggerCondition { Kind = TriggerKind.KpiBehindPace, Kpi = "members", Points = 15, ForDays = 2 },
                Scope = new TriggerScope { OutcomeIds = [world.Outcome.Id] },
            });
            Assert.Equal(2, trigger.Condition.ForDays);
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            var atOnce = await FiringsAsync(world, trigger.Id);
            clock.Advance(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(5));
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            var almost = await FiringsAsync(world, trigger.Id);
            clock.Advance(TimeSpan.FromMinutes(10));
            var fired = Assert.Single(await UntilAsync(() => FiringsAsync(world, trigger.Id), f => f.Count == 1));

            Assert.Empty(atOnce);
            Assert.Empty(almost);
            Assert.Equal(("kpi members", 2m), (fired.Subject, fired.Values["forDays"]));
            Assert.True(fired.Values["heldDays"] >= 2m);
            Assert.Contains("So for 2 days on end", fired.Summary, StringComparison.Ordinal);

            // Back on pace: it clears; behind again, the count starts afresh — nothing fires before two more days. A barrier
            // trigger in the same lane fires on the same observation: once it has, the evaluator has seen it (before the clock moves).
            var barrier = await world.Triggers.DefineTriggerAsync(new DefineTriggerRequest
            {
                Name = "Members low", Condition = new TriggerCondition { Kind = TriggerKind.KpiProgressCrossed, Kpi = "members", Progress = 20, Direction = Direction.Below },
                Scope = new TriggerScope { OutcomeIds = [world.Outcome.Id] },
            });
            await UntilAsync(() => FiringsAsync(world, barrier.Id), f => f.Count == 1);
            await ObserveAsync(world, 150m);
            await UntilAsync(() => FiringsAsync(world, trigger.Id), f => f[0].State == TriggerFiringState.Cleared);
            await ObserveAsync(world, 110m);
            await UntilAsync(() => FiringsAsync(world, barrier.Id), f => f.Count == 2);
            clock.Advance(TimeSpan.FromDays(1));
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.Single(await FiringsAsync(world, trigger.Id));
            clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
            Assert.Equal(2, (await UntilAsync(() => FiringsAsync(world, trigger.Id), f => f.Count == 2)).Count);
            Assert.Equal(400, await ApiCalls.StatusOf(() => world.Triggers.DefineTriggerAsync(new DefineTriggerRequest
            {
                Name = "Days on the wrong kind", Condition = new TriggerCondition { Kind = TriggerKind.KpiProgressCrossed, Kpi = "members", Progress = 50, ForDays = 2 },
                Scope = new TriggerScope { OutcomeIds = [world.Outcome.Id] },
            })));
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task a_segment_value_drop_fires_within_seconds_of_the_revision_in_the_outcomes_that_follow_the_segment_and_clears_when_it_recovers()
    {
        var world = await WorldAsync();
        var conductor = await world.Organisation.KeyAsync(Role.Conductor);
        var segments = Api.Segments(conductor);
        var segment = await segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "Lapsed members", Size = 1_000, Margin = new Money { Amount = 100m, Currency = "EUR" }, RetentionRate = 0.8m, DiscountRate = 0.1m });
        var outcomes = Api.Outcomes(conductor);
        var following = await outcomes.AddKpiAsync(world.Outcome.Id, world.Outcome.Version, new KpiDefinition
        {
            Key = "clv", Name = "Member CLV", Unit = "EUR", Baseline = 200m, Target = 500m, Direction = KpiDirection.Up, Source = KpiSource.SegmentClv, SegmentId = segment.Id,
        });
        var other = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("Not following", kpis: [OutcomeSamples.Clv()]));
        await outcomes.ActivateOutcomeAsync(other.Id, other.Version);

        foreach (var (condition, field) in new (TriggerCondition, string)[]
        {
            (new TriggerCondition { Kind = TriggerKind.SegmentValueDrop, SegmentId = Guid.NewGuid(), Percent = 10 }, "condition.segmentId"),
            (new TriggerCondition { Kind = TriggerKind.SegmentValueDrop, SegmentId = segment.Id, Percent = 150 }, "condition.percent"),
            (new TriggerCondition { Kind = TriggerKind.SegmentValueDrop, Percent = 10 }, "condition.segmentId"),
            (new TriggerCondition { Kind = TriggerKind.KpiBehindPace, Points = 10, SegmentId = segment.Id }, "condition.segmentId"),
        })
        {
            var refused = await Assert.ThrowsAsync<ApiException<Problem>>(() => world.Triggers.DefineTriggerAsync(new DefineTriggerRequest { Name = "Bad", Condition = condition, Scope = new TriggerScope { OutcomeIds = [world.Outcome.Id] } }));
            Assert.True(refused.Result.Errors!.ContainsKey(field), string.Join(", ", refused.Result.Errors!.Keys));
        }

        var admin = Api.Triggers(await world.Organisation.KeyAsync(Role.Admin));
        var trigger = await admin.DefineTriggerAsync(new DefineTriggerRequest
        {
            Name = "Member value falling", Condition = new TriggerCondition { Kind = TriggerKind.SegmentValueDrop, SegmentId = segment.Id, Percent = 10 },
        });
        Assert.Equal((SegmentMeasure.Clv, 266.67m), (trigger.Condition.Measure, trigger.Condition.Reference));

        // CLV = 100 · 0.7 / (1.1 − 0.7) = 175: 34.38 % below 266.67.
        var revised = await segments.ReviseSegmentAsync(segment.Id, segment.Version, new ReviseSegmentRequest { RetentionRate = 0.7m });
        var fired = Assert.Single(await UntilAsync(() => FiringsAsync(world, trigger.Id), f => f.Count == 1, seconds: 5));
        Assert.Equal((world.Outcome.Id, $"segment {segment.Id}", 175m, 34.38m), (fired.OutcomeId, fired.Subject, fired.Values["value"], fired.Values["dropPercent"]));
        Assert.NotEmpty(fired.Positions);
        await segments.ReviseSegmentAsync(segment.Id, revised.Version, new ReviseSegmentRequest { RetentionRate = 0.79m });
        var cleared = await UntilAsync(() => FiringsAsync(world, trigger.Id), f => f[0].State == TriggerFiringState.Cleared);
        Assert.Equal(TriggerFiringState.Cleared, Assert.Single(cleared).State);
        Assert.Empty((await admin.ListTriggerFiringsAsync(trigger.Id, outcomeId: other.Id)).Items);
        Assert.Contains(following.Kpis, k => k.Key == "clv" && k.SegmentId == segment.Id);
    }

    private static DefineTriggerRequest Crossing(Guid outcomeId, string name, decimal progress) => new()
    {
        Name = name,
        Condition = new TriggerCondition { Kind = TriggerKind.KpiProgressCrossed, Kpi = "members", Progress = progress },
        Scope = new TriggerScope { OutcomeIds = [outcomeId] },
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private sealed record World(TestOrganisation Organisation, OutcomeDetails Outcome, TriggersClient Triggers, ResultsClient Results);

    private Task<World> WorldAsync() => WorldAsync(Api);

    private static async Task<World> WorldAsync(ApiFixture api)
    {
        var organisation = await api.NewOrganisationAsync();
        var conductor = await organisation.KeyAsync(Role.Conductor);
        var outcomes = api.Outcomes(conductor);
        var define = OutcomeSamples.Define(kpis: [new KpiDefinition { Key = "members", Name = "Loyalty members", Unit = "customers", Baseline = 100m, Target = 200m, Direction = KpiDirection.Up }]);
        define.StartsOn = Today.AddDays(-30);
        define.EndsOn = Today.AddDays(69);
        var draft = await outcomes.DefineOutcomeAsync(define);
        return new World(organisation, await outcomes.ActivateOutcomeAsync(draft.Id, draft.Version), api.Triggers(conductor), api.Results(conductor));
    }

    /// <summary>Observes the members KPI now; answers the observation's id (the end of its feed subject).</summary>
    private static async Task<Guid> ObserveAsync(World world, decimal value) =>
        (await world.Results.ObserveKpiAsync(world.Outcome.Id, "members", new ObserveKpiRequest { Value = value, ObservedAt = DateTimeOffset.UtcNow })).Id;

    private static async Task<List<TriggerFiringDetails>> FiringsAsync(World world, Guid triggerId) =>
        [.. (await world.Triggers.ListTriggerFiringsAsync(triggerId)).Items];

    private static async Task<List<T>> UntilAsync<T>(Func<Task<List<T>>> read, Func<List<T>, bool> done, int seconds = 15)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var now = await read();
        while (!done(now) && clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await Task.Delay(100);
            now = await read();
        }

        return now;
    }

    /// <summary>A clock the test moves forward.</summary>
    private sealed class MovableClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
