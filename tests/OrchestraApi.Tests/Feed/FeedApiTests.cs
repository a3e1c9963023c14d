using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Feed;

/// <summary>The feed as its consumers read it (issue 21): CloudEvents with typed payloads, filters, roles, waiting and resuming.</summary>
public sealed class FeedApiTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task each_change_is_a_cloud_event_with_the_resource_after_it_and_what_it_changed()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = Api.Outcomes(await organisation.KeyAsync(Role.Conductor));
        var defined = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "Grow loyalty"));
        var revised = await outcomes.ReviseOutcomeAsync(defined.Id, defined.Version, new ReviseOutcomeRequest { Title = "Grow loyalty in 2027" });
        await Api.WaitForProjectionsAsync();

        var page = await Api.Events(await organisation.KeyAsync(Role.Cmo)).ListEventsAsync();

        Assert.Equal(2, page.Head);
        Assert.Equal(2, page.Next);
        Assert.Collection(page.Items,
            first =>
            {
                Assert.Equal(("1.0", "orchestra.outcome.defined.v1", "0000000000000000001", 1L), (first.Specversion, first.Type, first.Sequence, first.Position));
                Assert.Equal(($"/organisations/{organisation.Id}", $"/outcomes/{defined.Id}", defined.Id.ToString()), (first.Source, first.Subject, first.Partitionkey));
                Assert.Equal("application/json", first.Datacontenttype);
                var data = Assert.IsType<EventDataOfOutcomeDetails>(first.Payload());
                Assert.Equal(("Grow loyalty", 1L, "Conductor key"), (data.Object.Title, data.Object.Version, data.By));
                Assert.Null(data.Previous);
            },
            second =>
            {
                Assert.Equal(("orchestra.outcome.revised.v1", "outcome", 2L), (second.Type, second.Resource, second.Position));
                var data = second.DataAs<EventDataOfOutcomeDetails>();
                Assert.Equal((revised.Title, revised.Version, revised.UpdatedAt), (data.Object.Title, data.Object.Version, data.Object.UpdatedAt));
                Assert.Equal("Grow loyalty", JsonSerializer.SerializeToElement(data.Previous).GetProperty("title").GetString());
            });
        Assert.NotEqual(page.Items[0].Id, page.Items[1].Id);
        var again = await Api.Events(await organisation.KeyAsync(Role.Admin)).ListEventsAsync();
        Assert.Equal(page.Items.Select(e => (e.Id, e.Time)), again.Items.Select(e => (e.Id, e.Time)));
    }

    [Fact]
    public async Task an_activity_change_carries_the_activity_as_its_get_answers_and_the_catalogue_names_every_payload()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var digital = await world.OrchestratorAsync(Discipline.Digital);
        var plan = await digital.DraftPlanAsync(world.Plan(Discipline.Digital));
        var activity = await digital.ScheduleActivityAsync(plan.Id, PlanWorld.Activity("Launch emails", 40_000m, Channel.Email, 3));
        var moved = await digital.RescheduleActivityAsync(plan.Id, activity.Id, activity.Version, new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 4, 1), EndsOn = new DateOnly(2027, 4, 20) });
        await Api.WaitForProjectionsAsync();
        var events = Api.Events(await world.Organisation.KeyAsync(Role.Cmo));

        var rescheduled = Assert.Single((await events.ListEventsAsync(types: "orchestra.activity.rescheduled.v1")).Items);
        var data = Assert.IsType<EventDataOfActivityDetails>(rescheduled.Payload());
        var now = await digital.GetActivityAsync(plan.Id, activity.Id);
        Assert.Equal(JsonSerializer.Serialize(now), JsonSerializer.Serialize(data.Object));
        Assert.Equal(moved.Version, data.Object.Version);
        Assert.Equal($"/plans/{plan.Id}/activities/{activity.Id}", rescheduled.Subject);
        Assert.Equal(world.Outcome.Id.ToString(), rescheduled.Partitionkey);
        var previous = JsonSerializer.SerializeToElement(data.Previous);
        Assert.Equal("2027-03-01", previous.GetProperty("startsOn").GetString());
        Assert.False(previous.TryGetProperty("name", out _), "an unchanged field is not in previous");

        var catalogue = await events.ListEventTypesAsync();
        Assert.Contains(catalogue.Types, t => t is { Type: "orchestra.activity.rescheduled.v1", Resource: "activity", DataSchema: nameof(EventDataOfActivityDetails) });
        var served = new HashSet<string>((await events.ListEventsAsync(limit: 500)).Items.Select(e => e.Type));
        Assert.Subset(catalogue.Types.Select(t => t.Type).ToHashSet(), served);
        Assert.All((await events.ListEventsAsync(limit: 500)).Items, e => Assert.NotNull(e.Payload()));
    }

    [Fact]
    public async Task filters_by_type_resource_and_outcome_read_on_with_next_and_stop_at_the_head()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var other = await world.ConductorOutcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "Another outcome"));
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm));
        for (var i = 0; i < 3; i++)
        {
            await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity($"Mail {i}", 10_000m, Channel.DirectMail));
        }

        await Api.WaitForProjectionsAsync();
        var events = Api.Events(await world.Organisation.KeyAsync(Role.Admin));
        var all = await events.ListAllEventsAsync().ToListAsync();

        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.Position));
        Assert.Equal(3, (await events.ListEventsAsync(resource: "activity")).Items.Count);
        Assert.All((await events.ListEventsAsync(resource: "activity")).Items, e => Assert.Equal("orchestra.activity.scheduled.v1", e.Type));
        Assert.Equal([other.Id.ToString()], (await events.ListEventsAsync(outcomeId: other.Id)).Items.Select(e => e.Partitionkey));
        Assert.Equal(
            all.Where(e => e.Type is "orchestra.plan.drafted.v1" or "orchestra.outcome.activated.v1").Select(e => e.Position),
            (await events.ListEventsAsync(types: "orchestra.plan.drafted.v1, orchestra.outcome.activated.v1")).Items.Select(e => e.Position));

        var first = await events.ListEventsAsync(limit: 2);
        var second = await events.ListEventsAsync(after: first.Next, limit: 2);
        Assert.Equal(all.Take(4).Select(e => e.Id), first.Items.Concat(second.Items).Select(e => e.Id));
        var last = await events.ListEventsAsync(after: all[^1].Position);
        Assert.Empty(last.Items);
        Assert.Equal((all[^1].Position, all[^1].Position), (last.Next, last.Head));
        Assert.Equal(all.Skip(3).Select(e => e.Id), await events.ListAllEventsAsync(after: 3).Select(e => e.Id).ToListAsync());
    }

    [Fact]
    public async Task an_agency_reads_only_its_disciplines_changes_and_the_outcome_level_ones_and_another_organisation_nothing()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var digital = await world.OrchestratorAsync(Discipline.Digital);
        var advertising = await world.OrchestratorAsync(Discipline.Advertising);
        var digitalPlan = await digital.DraftPlanAsync(world.Plan(Discipline.Digital));
        await digital.ScheduleActivityAsync(digitalPlan.Id, PlanWorld.Activity("Search", 10_000m, Channel.PaidSearch));
        var advertisingPlan = await advertising.DraftPlanAsync(world.Plan(Discipline.Advertising));
        await advertising.ScheduleActivityAsync(advertisingPlan.Id, PlanWorld.Activity("TV", 10_000m, Channel.Tv));
        var stranger = await Api.NewOrganisationAsync("Stranger");
        await Api.Outcomes(await stranger.KeyAsync(Role.Conductor)).DefineOutcomeAsync(OutcomeSamples.Define(title: "Theirs"));
        await Api.WaitForProjectionsAsync();

        var everything = await Api.Events(await world.Organisation.KeyAsync(Role.Cmo)).ListAllEventsAsync().ToListAsync();
        var agency = await Api.Events(await world.Organisation.KeyAsync(Role.Agency, Discipline.Digital)).ListAllEventsAsync().ToListAsync();
        var orchestrator = await Api.Events(await world.Organisation.KeyAsync(Role.Orchestrator, Discipline.Advertising)).ListAllEventsAsync().ToListAsync();
        var theirs = await Api.Events(await stranger.KeyAsync(Role.Admin)).ListEventsAsync();

        // Outcome-level: the outcome and its KPIs; the rest belongs to one discipline's plan.
        bool OutcomeLevel(CloudEvent e) => e.Resource is "outcome" or "kpi";
        bool Of(CloudEvent e, Guid plan) => e.Subject.StartsWith($"/plans/{plan}", StringComparison.Ordinal);
        Assert.Equal(4, everything.Count(e => !OutcomeLevel(e)));
        Assert.Equal(everything.Where(e => OutcomeLevel(e) || Of(e, digitalPlan.Id)).Select(e => e.Position), agency.Select(e => e.Position));
        Assert.Equal(everything.Where(e => OutcomeLevel(e) || Of(e, advertisingPlan.Id)).Select(e => e.Position), orchestrator.Select(e => e.Position));
        Assert.Equal(["orchestra.plan.drafted.v1", "orchestra.activity.scheduled.v1"], agency.Where(e => !OutcomeLevel(e)).Select(e => e.Type));
        Assert.Equal(digitalPlan.Id, agency.Single(e => e.Resource == "plan").DataAs<EventDataOfPlanSummary>().Object.Id);
        Assert.Equal([1L], theirs.Items.Select(e => e.Position));
        Assert.Equal(1, theirs.Head);
        Assert.DoesNotContain(theirs.Items, e => everything.Any(o => o.Id == e.Id));
        Assert.Equal(401, await ApiCalls.StatusOf(() => new EventsClient(Api.Http()).ListEventsAsync()));
        Assert.Equal(403, await ApiCalls.StatusOf(() => Api.Events(ApiFixture.BootstrapKey).ListEventsAsync()));
        Assert.Equal(401, await ApiCalls.StatusOf(() => new EventsClient(Api.Http("not-a-key")).ListEventTypesAsync()));
    }

    [Fact]
    public async Task bad_positions_filters_and_waits_are_400s_naming_the_field_and_a_position_past_retention_is_a_410()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = Api.Outcomes(await organisation.KeyAsync(Role.Conductor));
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define());
        for (var i = 0; i < 3; i++)
        {
            outcome = await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = $"Revision {i}" });
        }

        await Api.WaitForProjectionsAsync();
        using var http = Api.Http(await organisation.KeyAsync(Role.Admin));
        foreach (var (query, field) in new[]
        {
            ("after=-1", "after"), ("after=5", "after"), ("after=abc", "after"), ($"after={long.MaxValue}0", "after"), ("limit=0", "limit"), ("limit=501", "limit"),
            ("limit=1.5", "limit"), ("types=orchestra.outcome.exploded.v1", "types"), ("types=orchestra.outcome.defined.v1%00", "types"), ($"types={new string('t', 5000)}", "types"),
            ($"types={string.Join(',', Enumerable.Repeat("orchestra.outcome.defined.v1", 51))}", "types"), ("resource=invoice", "resource"), ("resource=outcome%00", "resource"),
            ($"outcomeId={Guid.Empty}", "outcomeId"), ("outcomeId=not-a-guid", "outcomeId"), ("wait=31", "wait"), ("wait=-1", "wait"),
        })
        {
            using var response = await http.GetAsync(new Uri($"/events?{query}", UriKind.Relative));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode} {problem}");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }

        using var stream = new HttpRequestMessage(HttpMethod.Get, new Uri("/events/stream", UriKind.Relative));
        stream.Headers.TryAddWithoutValidation("Last-Event-ID", "12abc");
        using var refused = await http.SendAsync(stream);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("Last-Event-ID", out _));

        // The retention removed the first two positions: asking from before them is a 410 that says where to read on.
        await using (var session = Api.Store.LightweightSession(organisation.Id.ToString()))
        {
            session.DeleteWhere<OrchestraApi.Feed.FeedEntry>(e => e.Id <= 2);
            await session.SaveChangesAsync();
        }

        using var gone = await http.GetAsync(new Uri("/events?after=1", UriKind.Relative));
        var goneProblem = await gone.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Equal((3, 2), (goneProblem.GetProperty("oldestPosition").GetInt64(), goneProblem.GetProperty("after").GetInt64()));
        Assert.Equal([3L, 4L], (await Api.Events(await organisation.KeyAsync(Role.Admin)).ListEventsAsync()).Items.Select(e => e.Position));
        Assert.Equal([3L, 4L], (await Api.Events(await organisation.KeyAsync(Role.Admin)).ListEventsAsync(after: 2)).Items.Select(e => e.Position));
    }

    [Fact]
    public async Task the_retention_removes_only_entries_older_than_it_keeps()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = Api.Outcomes(await organisation.KeyAsync(Role.Conductor));
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "Old"));
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "New"));
        await Api.WaitForProjectionsAsync();
        await using (var session = Api.Store.LightweightSession(organisation.Id.ToString()))
        {
            var old = await session.LoadAsync<OrchestraApi.Feed.FeedEntry>(1L);
            session.Store(old! with { Time = DateTimeOffset.UtcNow.AddDays(-91) });
            // Deliveries go with the entries, except those still pending.
            foreach (var (state, days) in new[] { ("Delivered", -91), ("Failed", -91), ("Pending", -91), ("Delivered", -1) })
            {
                session.Store(OrchestraApi.Webhooks.WebhookDelivery.Of(Guid.NewGuid(), old, OrchestraApi.Webhooks.WebhookDeliveryTrigger.Event, DateTimeOffset.UtcNow.AddDays(days)) with { State = state });
            }

            await session.SaveChangesAsync();
        }

        var removed = await ActivatorUtilities.CreateInstance<OrchestraApi.Feed.FeedRetention>(Api.Factory.Services).RemoveExpiredAsync(CancellationToken.None);

        Assert.Equal(1, removed);
        await using (var session = Api.Store.QuerySession(organisation.Id.ToString()))
        {
            var kept = await Marten.QueryableExtensions.ToListAsync(session.Query<OrchestraApi.Webhooks.WebhookDelivery>());
            Assert.Equal(["Delivered", "Pending"], kept.Select(d => d.State).Order());
            Assert.Equal(DateTimeOffset.UtcNow.AddDays(-91).Date, kept.Single(d => d.State == "Pending").CreatedAt.Date);
        }

        using var http = Api.Http(await organisation.KeyAsync(Role.Cmo));
        Assert.Equal(HttpStatusCode.Gone, (await http.GetAsync(new Uri("/events?after=0", UriKind.Relative))).StatusCode);
        Assert.Equal([2L], (await Api.Events(await organisation.KeyAsync(Role.Cmo)).ListEventsAsync(after: 1)).Items.Select(e => e.Position));
    }

    [Fact]
    public async Task an_idle_head_answers_304_to_its_etag_and_a_long_poll_returns_the_next_change_as_it_is_numbered()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = Api.Outcomes(await organisation.KeyAsync(Role.Conductor));
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define());
        await Api.WaitForProjectionsAsync();
        using var http = Api.Http(await organisation.KeyAsync(Role.Cmo));

        using var first = await http.GetAsync(new Uri("/events", UriKind.Relative));
        Assert.Equal("\"1\"", first.Headers.ETag!.Tag);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, new Uri("/events?after=1", UriKind.Relative));
        conditional.Headers.IfNoneMatch.Add(first.Headers.ETag);
        using var idle = await http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, idle.StatusCode);

        var events = Api.Events(await organisation.KeyAsync(Role.Cmo));
        var polling = events.ListEventsAsync(after: 1, wait: 30);
        await Task.Delay(200);
        Assert.False(polling.IsCompleted, "the long poll answered before anything changed");
        await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = "Moved on" });
        var page = await polling;

        // Had the poll not been woken by the change it would have answered an empty page (or only after 30 s).
        Assert.Equal(["orchestra.outcome.revised.v1"], page.Items.Select(e => e.Type));
        Assert.Equal(2, page.Head);
        var empty = await events.ListEventsAsync(after: 2, wait: 1);
        Assert.Empty(empty.Items);
        Assert.Equal(2, empty.Next);
    }

    [Fact]
    public async Task the_stream_sends_what_is_there_then_each_new_change_and_resumes_after_the_last_event_id()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = Api.Outcomes(await organisation.KeyAsync(Role.Conductor));
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define());
        outcome = await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = "Second" });
        await Api.WaitForProjectionsAsync();
        var events = Api.Events(await organisation.KeyAsync(Role.Cmo));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var received = new List<CloudEvent>();
        await foreach (var e in events.WatchEventsAsync(cancellationToken: timeout.Token))
        {
            received.Add(e);
            if (received.Count == 2)
            {
                await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = "Third" });
            }

            if (received.Count == 3)
            {
                break;
            }
        }

        Assert.Equal([1L, 2L, 3L], received.Select(e => e.Position));
        Assert.Equal("Third", received[2].DataAs<EventDataOfOutcomeDetails>().Object.Title);

        using var http = Api.Http(await organisation.KeyAsync(Role.Cmo));
        using var resume = new HttpRequestMessage(HttpMethod.Get, new Uri("/events/stream?after=0", UriKind.Relative));
        resume.Headers.TryAddWithoutValidation("Last-Event-ID", "2");
        using var response = await http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal("id: 3", await FirstLineAsync(reader, "id:", timeout.Token));
    }

    private static async Task<string> FirstLineAsync(StreamReader reader, string prefix, CancellationToken ct)
    {
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        return "";
    }
}
