using System.Net;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;

namespace OrchestraApi.Tests.Status;

/// <summary>The live status stream (Server-Sent Events) through the SDK's IAsyncEnumerable and raw HTTP.</summary>
public sealed class LiveStatusTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = new(2027, 3, 1);

    [Fact]
    public async Task the_stream_opens_with_a_snapshot_sends_each_change_and_resumes_from_last_event_id_with_what_was_missed()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        string lastId;
        ActivityDetails film;
        StatusEvent snapshot, added;
        await using (var events = status.WatchOutcomeStatusAsync(w.OutcomeId, cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token))
        {
            snapshot = await StatusStreams.NextAsync(events);
            film = await w.ActivityAsync(Discipline.Advertising, "Launch film", March1, March1.AddDays(9));
            added = await StatusStreams.NextAsync(events);
            lastId = added.Id;
        }

        var press = await w.ActivityAsync(Discipline.PublicRelations, "Press day", March1.AddDays(10), March1.AddDays(11));
        var dependency = await w.DependencyAsync(film, press);
        StatusEvent catchUp, live;
        await using (var events = status.WatchOutcomeStatusAsync(w.OutcomeId, lastId, cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token))
        {
            catchUp = await StatusStreams.NextAsync(events);
            await w.Conductor.WithdrawConnectionAsync(w.OutcomeId, dependency.Id, dependency.Version, new CancelRequest { Reason = "Not needed." });
            live = await StatusStreams.NextAsync(events);
        }

        Assert.Equal((StatusEventKind.Snapshot, Rag.Amber, 4, 0), (snapshot.Kind, snapshot.Rag, snapshot.Reasons.Count, snapshot.Changes.Count));
        Assert.Equal(w.OutcomeId, snapshot.OutcomeId);
        Assert.Equal(StatusEventKind.Change, added.Kind);
        Assert.Equal([(StatusChangeKind.ActivityAdded, $"activity {film.Id}")], added.Changes.Select(c => (c.Kind, c.About)));
        Assert.True(long.Parse(added.Id, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(snapshot.Id, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(StatusEventKind.CatchUp, catchUp.Kind);
        Assert.Equal(
            [(StatusChangeKind.ActivityAdded, $"activity {press.Id}"), (StatusChangeKind.ConnectionAdded, $"connection {dependency.Id}")],
            catchUp.Changes.Select(c => (c.Kind, c.About)));
        Assert.Equal(StatusEventKind.Change, live.Kind);
        Assert.Contains(live.Changes, c => c.Kind == StatusChangeKind.ConnectionChanged && c.Detail.Contains("→ Withdrawn", StringComparison.Ordinal));
    }

    [Fact]
    public async Task an_organisations_stream_never_carries_another_organisations_events_nor_opens_on_its_outcomes()
    {
        var a = await ConnectionWorld.CreateAsync(Api);
        var b = await ConnectionWorld.CreateAsync(Api);
        var bStatus = Api.Status(await b.World.Organisation.KeyAsync(Role.Cmo));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        StatusEvent first, next;
        ActivityDetails bActivity;
        await using (var events = bStatus.WatchOutcomeStatusAsync(b.OutcomeId, cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token))
        {
            first = await StatusStreams.NextAsync(events);
            await a.ActivityAsync(Discipline.Digital, "A's banner", March1, March1.AddDays(3));
            await a.ActivityAsync(Discipline.Crm, "A's mailing", March1, March1.AddDays(3));
            bActivity = await b.ActivityAsync(Discipline.Digital, "B's banner", March1, March1.AddDays(3));
            next = await StatusStreams.NextAsync(events);
        }

        var foreignOpen = await Assert.ThrowsAsync<ApiException<Problem>>(async () =>
        {
            await foreach (var _ in bStatus.WatchOutcomeStatusAsync(a.OutcomeId, cancellationToken: timeout.Token))
            {
            }
        });
        var http = await b.World.Organisation.HttpAsAsync(Role.Cmo);
        var badResume = new HttpRequestMessage(HttpMethod.Get, $"/outcomes/{b.OutcomeId}/status/stream");
        badResume.Headers.TryAddWithoutValidation("Last-Event-ID", "yesterday");
        var badAnswer = await http.SendAsync(badResume);

        Assert.Equal(b.OutcomeId, first.OutcomeId);
        Assert.Equal(b.OutcomeId, next.OutcomeId);
        Assert.Equal([(StatusChangeKind.ActivityAdded, $"activity {bActivity.Id}")], next.Changes.Select(c => (c.Kind, c.About)));
        Assert.Equal(404, foreignOpen.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badAnswer.StatusCode);
        Assert.Contains("Last-Event-ID", await badAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(401, await ApiCalls.StatusOf(() => new StatusClient(Api.Http()).OpenOutcomeStatusStreamAsync(b.OutcomeId)));
    }

    [Fact]
    public async Task a_client_without_a_stream_catches_up_by_polling_with_the_last_event_id()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var snapshot = await status.CatchUpOutcomeStatusAsync(w.OutcomeId);
        var film = await w.ActivityAsync(Discipline.Advertising, "Launch film", March1, March1.AddDays(9));
        var caughtUp = await status.CatchUpOutcomeStatusAsync(w.OutcomeId, snapshot.Id);
        var nothingNew = await status.CatchUpOutcomeStatusAsync(w.OutcomeId, caughtUp.Id);
        var foreign = Api.Status(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Cmo));
        var http = await w.World.Organisation.HttpAsAsync(Role.Cmo);
        using var bad = await http.GetAsync($"/outcomes/{w.OutcomeId}/status/catch-up?lastEventId=-5");

        Assert.Equal((StatusEventKind.Snapshot, Rag.Amber, 0), (snapshot.Kind, snapshot.Rag, snapshot.Changes.Count));
        Assert.Equal(StatusEventKind.CatchUp, caughtUp.Kind);
        Assert.Equal([(StatusChangeKind.ActivityAdded, $"activity {film.Id}")], caughtUp.Changes.Select(c => (c.Kind, c.About)));
        Assert.Equal(StatusEventKind.CatchUp, nothingNew.Kind);
        Assert.Empty(nothingNew.Changes);
        Assert.Equal(404, await ApiCalls.StatusOf(() => foreign.CatchUpOutcomeStatusAsync(w.OutcomeId)));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"lastEventId\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_organisation_holding_its_limit_of_streams_gets_429_while_others_still_open_theirs()
    {
        var fresh = await Api.StartFreshApiAsync(settings: new Dictionary<string, string> { ["Orchestra__RateLimits__LiveStreamsPerOrganisation"] = "2" });
        try
        {
            var a = await ConnectionWorld.CreateAsync(fresh);
            var b = await ConnectionWorld.CreateAsync(fresh);
            var http = await a.World.Organisation.HttpAsAsync(Role.Cmo);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            Task<HttpResponseMessage> Open(HttpClient client, Guid outcome) =>
                client.GetAsync($"/outcomes/{outcome}/status/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);

            var first = await Open(http, a.OutcomeId);
            var second = await Open(http, a.OutcomeId);
            using var third = await Open(http, a.OutcomeId);
            using var others = await Open(await b.World.Organisation.HttpAsAsync(Role.Cmo), b.OutcomeId);
            first.Dispose();
            using var again = await RetryAsync(() => Open(http, a.OutcomeId), timeout.Token);
            second.Dispose();

            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(10), third.Headers.RetryAfter?.Delta);
            Assert.Contains("live streams", await third.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, others.StatusCode);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    /// <summary>A closed stream is released when the server notices the client left: retry briefly until it has.</summary>
    private static async Task<HttpResponseMessage> RetryAsync(Func<Task<HttpResponseMessage>> open, CancellationToken ct)
    {
        while (true)
        {
            var response = await open();
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100, ct);
        }
    }

    [Fact]
    public async Task a_second_instance_on_the_same_database_hears_the_first_ones_commits_in_its_stream_and_portfolio()
    {
        await using var second = Api.Factory.WithWebHostBuilder(_ => { });
        var w = await ConnectionWorld.CreateAsync(Api);
        var http = second.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", await w.World.Organisation.KeyAsync(Role.Cmo));
        var status = new StatusClient(http);
        var before = (await status.GetPortfolioAsync()).Items.Single();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        StatusEvent heard;
        ActivityDetails film;
        await using (var events = status.WatchOutcomeStatusAsync(w.OutcomeId, cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token))
        {
            await StatusStreams.NextAsync(events);
            film = await w.ActivityAsync(Discipline.Advertising, "Launch film", March1, March1.AddDays(9));
            heard = await StatusStreams.NextAsync(events);
        }

        await Api.Results(await w.World.Organisation.KeyAsync(Role.Orchestrator, Discipline.Advertising)).RecordResultsAsync(w.OutcomeId, new RecordResultsRequest
        {
            Rows = [new ResultRowRequest { ActivityId = film.Id, From = March1, To = March1, Reached = 1, Impressions = 1, Responses = 1, Conversions = 1, Revenue = new Money { Amount = 0m, Currency = "EUR" }, Cost = new Money { Amount = 500m, Currency = "EUR" } }],
        });
        var spent = 0m;
        for (var tries = 0; tries < 100 && spent != 500m; tries++)
        {
            await Task.Delay(100);
            spent = (await status.GetPortfolioAsync()).Items.Single().Spent.Amount;
        }

        Assert.Equal(0m, before.Spent.Amount);
        Assert.Equal([(StatusChangeKind.ActivityAdded, $"activity {film.Id}")], heard.Changes.Select(c => (c.Kind, c.About)));
        Assert.Equal(500m, spent);
    }

    [Fact]
    public async Task the_stream_is_text_event_stream_with_event_id_and_json_data_lines()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var http = await w.World.Organisation.HttpAsAsync(Role.Cmo);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.GetAsync($"/outcomes/{w.OutcomeId}/status/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var lines = new List<string>();
        while (await reader.ReadLineAsync(timeout.Token) is { Length: > 0 } line)
        {
            lines.Add(line);
        }

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("event: status", lines[0]);
        Assert.StartsWith("data: {", lines.Single(l => l.StartsWith("data:", StringComparison.Ordinal)), StringComparison.Ordinal);
        var id = lines.Single(l => l.StartsWith("id:", StringComparison.Ordinal))[3..].Trim();
        using var data = System.Text.Json.JsonDocument.Parse(lines.Single(l => l.StartsWith("data:", StringComparison.Ordinal))[5..]);
        Assert.Equal(id, data.RootElement.GetProperty("id").GetString());
        Assert.Equal("Snapshot", data.RootElement.GetProperty("kind").GetString());
    }
}

internal static class StatusStreams
{
    /// <summary>The next event of a live status stream, or a failure after 20 seconds (never a hung suite).</summary>
    public static async Task<StatusEvent> NextAsync(IAsyncEnumerator<StatusEvent> events)
    {
        var next = events.MoveNextAsync().AsTask();
        Assert.True(await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(20))) == next, "No status event within 20 seconds.");
        Assert.True(await next, "The stream ended.");
        return events.Current;
    }
}
