using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace OrchestraApi.Tests.Webhooks;

/// <summary>Webhooks (issue 21): signed, at least once, in order per outcome, every attempt recorded, replayable.</summary>
public sealed class WebhookTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task each_event_arrives_signed_so_an_independent_verifier_accepts_it_with_the_feeds_body_and_id()
    {
        await using var receiver = await Receiver.StartAsync();
        var (organisation, webhooks, outcomes) = await WorldAsync();
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = receiver.Url, Description = "CRM" });
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define());
        await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = "Revised" });

        var received = await receiver.UntilAsync(r => r.Count >= 3);
        await Api.WaitForProjectionsAsync();
        var feed = await Api.Events(await organisation.KeyAsync(Role.Admin)).ListEventsAsync();

        Assert.StartsWith("whsec_", endpoint.Secret, StringComparison.Ordinal);
        Assert.Null((await webhooks.GetWebhookEndpointAsync(endpoint.Id)).Secret);
        var outcomeEvents = feed.Items.Where(e => e.Resource == "outcome").ToList();
        var delivered = received.Where(r => r.Json.GetProperty("type").GetString()!.StartsWith("orchestra.outcome.", StringComparison.Ordinal)).ToList();
        Assert.Equal(outcomeEvents.Select(e => e.Id), delivered.Select(r => r.Id));
        Assert.Equal(outcomeEvents.Select(e => e.Sequence), delivered.Select(r => r.Json.GetProperty("sequence").GetString()));
        Assert.All(received, r =>
        {
            new StandardWebhook(endpoint.Secret!).Verify(r.Body, r.Headers);
            Assert.True(WebhookSignature.Verify([endpoint.Secret!], name => r.Headers[name].ToString(), r.Body));
            Assert.False(WebhookSignature.Verify([endpoint.Secret!], name => r.Headers[name].ToString(), r.Body + " "));
            Assert.Equal("application/json; charset=utf-8", r.Headers["Content-Type"].ToString());
        });
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(Convert.ToBase64String(new byte[32])).Verify(received[0].Body, received[0].Headers));

        var deliveries = await webhooks.ListWebhookDeliveriesAsync(endpoint.Id, WebhookDeliveryState.Delivered);
        Assert.Equal(received.Select(r => Guid.Parse(r.Id)).Order(), deliveries.Items.Select(d => d.WebhookId).Order());
        Assert.All(deliveries.Items, d => Assert.Equal(200, Assert.Single(d.Attempts).Status));
        Assert.Equal("{\"received\":true}", deliveries.Items[0].Attempts.Single().Response);
    }

    [Fact]
    public async Task during_a_rotation_each_message_carries_both_signatures_and_after_a_revoke_only_the_new_one()
    {
        await using var receiver = await Receiver.StartAsync();
        var (_, webhooks, outcomes) = await WorldAsync();
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = receiver.Url });
        var rotated = await webhooks.RotateWebhookSecretAsync(endpoint.Id, endpoint.Version, new RotateWebhookSecretRequest { OverlapHours = 24 });
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "During the overlap"));
        var during = (await receiver.UntilAsync(r => r.Any(x => Type(x) == "orchestra.outcome.defined.v1"))).Last(x => Type(x) == "orchestra.outcome.defined.v1");

        Assert.NotEqual(endpoint.Secret, rotated.Secret);
        Assert.NotNull(rotated.PreviousSecretExpiresAt);
        // Two signatures, one per secret: the independent verifier checks each (it reads one signature a header).
        var signatures = during.Signature.Split(' ');
        Assert.Equal(2, signatures.Length);
        new StandardWebhook(rotated.Secret!).Verify(during.Body, With(during, signatures[0]));
        new StandardWebhook(endpoint.Secret!).Verify(during.Body, With(during, signatures[1]));
        Assert.True(WebhookSignature.Verify([endpoint.Secret!], name => during.Headers[name].ToString(), during.Body));
        Assert.True(WebhookSignature.Verify([rotated.Secret!], name => during.Headers[name].ToString(), during.Body));

        var revoked = await webhooks.RevokePreviousWebhookSecretAsync(endpoint.Id, rotated.Version);
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "After the revoke"));
        var after = (await receiver.UntilAsync(r => r.Count(x => Type(x) == "orchestra.outcome.defined.v1") >= 2)).Last(x => Type(x) == "orchestra.outcome.defined.v1");

        Assert.Null(revoked.PreviousSecretExpiresAt);
        Assert.Single(after.Signature.Split(' '));
        new StandardWebhook(rotated.Secret!).Verify(after.Body, after.Headers);
        Assert.Throws<WebhookVerificationException>(() => new StandardWebhook(endpoint.Secret!).Verify(after.Body, after.Headers));
        Assert.Equal(409, await ApiCalls.StatusOf(() => webhooks.RevokePreviousWebhookSecretAsync(endpoint.Id, revoked.Version)));
        Assert.Equal(400, await ApiCalls.StatusOf(() => webhooks.RotateWebhookSecretAsync(endpoint.Id, revoked.Version, new RotateWebhookSecretRequest { OverlapHours = 169 })));
    }

    [Fact]
    public async Task a_receiver_that_fails_then_times_out_then_recovers_gets_every_event_once_in_order_per_outcome_while_other_outcomes_flow()
    {
        await using var receiver = await Receiver.StartAsync();
        var (_, webhooks, outcomes) = await WorldAsync();
        var blocked = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "Blocked"));
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = receiver.Url });
        var failures = 0;
        var recovered = false;
        // The blocked outcome's events fail: twice 503, then no answer in time, then 503 until the test lets them through.
        receiver.Answer = r => r.Json.GetProperty("partitionkey").GetString() != blocked.Id.ToString() || recovered ? 200
            : Interlocked.Increment(ref failures) == 3 ? null : 503;

        for (var i = 0; i < 3; i++)
        {
            blocked = await outcomes.ReviseOutcomeAsync(blocked.Id, blocked.Version, new ReviseOutcomeRequest { Title = $"Blocked {i}" });
        }

        var flowing = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "Flowing"));
        flowing = await outcomes.ReviseOutcomeAsync(flowing.Id, flowing.Version, new ReviseOutcomeRequest { Title = "Flowing on" });
        var meanwhile = await receiver.UntilAsync(r => r.Count(x => Partition(x) == flowing.Id.ToString()) >= 2 && failures >= 4);
        recovered = true;
        var all = await receiver.UntilAsync(r => r.Where(x => Partition(x) == blocked.Id.ToString()).Select(x => x.Id).Distinct().Count() >= 3);

        // While the first blocked event failed, the blocked outcome's later ones waited and the other outcome's arrived.
        Assert.Equal(2, meanwhile.Count(x => Partition(x) == flowing.Id.ToString()));
        Assert.Single(meanwhile.Where(x => Partition(x) == blocked.Id.ToString()).Select(x => x.Id).Distinct());
        var blockedIds = all.Where(x => Partition(x) == blocked.Id.ToString()).Select(x => x.Id).ToList();
        Assert.Equal(3, blockedIds.Distinct().Count());
        var firstSeen = blockedIds.Distinct().Select(id => all.First(x => x.Id == id).Json.GetProperty("sequence").GetString()).ToList();
        Assert.Equal(firstSeen.Order(StringComparer.Ordinal), firstSeen);

        var first = (await webhooks.ListWebhookDeliveriesAsync(endpoint.Id, type: "orchestra.outcome.revised.v1")).Items
            .First(d => d.WebhookId == Guid.Parse(blockedIds[0]));
        Assert.Equal(WebhookDeliveryState.Delivered, first.State);
        Assert.Equal([503, 503, null], first.Attempts.Take(3).Select(a => a.Status));
        Assert.Contains("No answer within 2 s", first.Attempts[2].Error, StringComparison.Ordinal);
        Assert.Equal(200, first.Attempts[^1].Status);
        Assert.All(first.Attempts, a => Assert.True(a.DurationMs >= 0));
    }

    [Fact]
    public async Task a_410_disables_the_endpoint_with_an_event_on_the_feed_and_to_the_other_endpoints_and_replays_resend_the_same_ids()
    {
        await using var gone = await Receiver.StartAsync();
        await using var other = await Receiver.StartAsync();
        var (organisation, webhooks, outcomes) = await WorldAsync();
        gone.Answer = _ => 410;
        var leaving = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = gone.Url });
        var staying = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = other.Url });
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define());

        var notices = await other.UntilAsync(r => r.Any(x => Type(x) == "orchestra.webhook_endpoint.disabled.v1"));
        var disabled = await webhooks.GetWebhookEndpointAsync(leaving.Id);
        Assert.False(disabled.Enabled);
        Assert.Contains("410", disabled.DisabledReason, StringComparison.Ordinal);
        Assert.Equal(1, disabled.ReplayAfter); // its first event is the other endpoint's registration, at position 2: never its own (1)
        // Requests already on their way in that round may arrive (other outcomes go in parallel); none after it.
        var gotBefore = gone.All.Count;
        Assert.Contains(410, (await webhooks.ListWebhookDeliveriesAsync(leaving.Id)).Items.SelectMany(d => d.Attempts).Select(a => a.Status));
        var notice = notices.Single(x => Type(x) == "orchestra.webhook_endpoint.disabled.v1");
        Assert.Equal(leaving.Id.ToString(), notice.Json.GetProperty("data").GetProperty("object").GetProperty("id").GetString());
        Assert.Equal("OrchestraApi", notice.Json.GetProperty("data").GetProperty("by").GetString());
        await Api.WaitForProjectionsAsync();
        var feed = await Api.Events(await organisation.KeyAsync(Role.Cmo)).ListEventsAsync(types: "orchestra.webhook_endpoint.disabled.v1");
        Assert.Single(feed.Items);
        Assert.Empty((await Api.Events(await organisation.KeyAsync(Role.Conductor)).ListEventsAsync(resource: "webhook_endpoint")).Items);

        // Replays to the endpoint that stayed: everything after position 1 again, with the same webhook-ids.
        var firstRound = await other.UntilAsync(r => r.Count >= 2);
        var replay = await webhooks.ReplayWebhookEventsAsync(staying.Id, new ReplayWebhookEventsRequest { After = 1 });
        var resent = await other.UntilAsync(r => r.Count >= firstRound.Count + replay.Queued);
        var expected = feed.Items.Count == 0 ? [] : (await Api.Events(await organisation.KeyAsync(Role.Admin)).ListEventsAsync(after: 1)).Items.Select(e => e.Id).ToList();
        Assert.Equal(expected.Count, replay.Queued);
        // Exactly those events again (in order within an outcome; outcomes go in parallel).
        Assert.Equal(expected.Order(), resent.Skip(firstRound.Count).Select(r => r.Id).Order());
        Assert.Null(replay.Next);

        var one = (await webhooks.ListWebhookDeliveriesAsync(staying.Id)).Items[0];
        var again = await webhooks.ReplayWebhookDeliveryAsync(staying.Id, one.Id);
        var test = await webhooks.SendTestWebhookAsync(staying.Id);
        var last = await other.UntilAsync(r => r.Count >= resent.Count + 2);
        Assert.Equal(one.WebhookId, again.WebhookId);
        Assert.Contains(last.Skip(resent.Count), r => r.Id == one.WebhookId.ToString());
        Assert.Contains(last.Skip(resent.Count), r => Type(r) == "orchestra.webhook_endpoint.test.v1" && r.Id == test.WebhookId.ToString());
        Assert.Equal(409, await ApiCalls.StatusOf(() => webhooks.SendTestWebhookAsync(leaving.Id)));
        Assert.Equal(gotBefore, gone.All.Count);

        var enabled = await webhooks.ReviseWebhookEndpointAsync(leaving.Id, disabled.Version, new ReviseWebhookEndpointRequest { Enabled = true });
        Assert.True(enabled.Enabled);
        Assert.Null(enabled.DisabledReason);
    }

    [Fact]
    public async Task an_endpoint_failing_for_five_days_is_disabled_by_its_next_failure()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Answer = _ => 500;
        var (organisation, webhooks, outcomes) = await WorldAsync();
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = receiver.Url });
        await using (var session = Api.Store.LightweightSession(organisation.Id.ToString()))
        {
            session.Store(new OrchestraApi.Webhooks.WebhookEndpointHealth(endpoint.Id, DateTimeOffset.UtcNow.AddDays(-5).AddMinutes(-1), 1));
            await session.SaveChangesAsync();
        }

        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define());
        await receiver.UntilAsync(r => r.Count >= 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        WebhookEndpointDetails now;
        do
        {
            await Task.Delay(100);
            now = await webhooks.GetWebhookEndpointAsync(endpoint.Id);
        }
        while (now.Enabled && clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.False(now.Enabled);
        Assert.Contains("failed for 5 days", now.DisabledReason, StringComparison.Ordinal);
        Assert.Equal(0, now.ReplayAfter);
        var history = await webhooks.GetWebhookEndpointHistoryAsync(endpoint.Id);
        Assert.Equal(["Registered", "Disabled"], history.Items.Select(c => c.Change));
        Assert.Equal("OrchestraApi", history.Items[1].By);

        // Enabled again, its old failures no longer count: the next failures retry instead of disabling it at once.
        var enabled = await webhooks.ReviseWebhookEndpointAsync(endpoint.Id, now.Version, new ReviseWebhookEndpointRequest { Enabled = true });
        var before = receiver.All.Count;
        await receiver.UntilAsync(r => r.Count >= before + 2);
        Assert.True(receiver.All.Count >= before + 2, "the pending delivery was not retried after the endpoint was enabled");
        Assert.True((await webhooks.GetWebhookEndpointAsync(endpoint.Id)).Enabled);
        Assert.Equal(enabled.Version, (await webhooks.GetWebhookEndpointAsync(endpoint.Id)).Version);
    }

    [Fact]
    public async Task only_an_admin_of_the_organisation_reaches_its_endpoints_and_another_organisation_finds_none_of_them()
    {
        var (organisation, webhooks, _) = await WorldAsync();
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = "http://127.0.0.1:9/hooks", Enabled = false });
        var stranger = Api.Webhooks(await (await Api.NewOrganisationAsync("Stranger")).KeyAsync(Role.Admin));

        foreach (var role in new[] { Role.Cmo, Role.Conductor, Role.Orchestrator, Role.Agency })
        {
            var client = Api.Webhooks(await organisation.KeyAsync(role, role is Role.Orchestrator or Role.Agency ? [Discipline.Crm] : []));
            Assert.Equal(403, await ApiCalls.StatusOf(() => client.ListWebhookEndpointsAsync()));
            Assert.Equal(403, await ApiCalls.StatusOf(() => client.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = "http://127.0.0.1:9/x" })));
            Assert.Equal(403, await ApiCalls.StatusOf(() => client.ListWebhookDeliveriesAsync(endpoint.Id)));
        }

        Assert.Equal(401, await ApiCalls.StatusOf(() => new WebhooksClient(Api.Http()).ListWebhookEndpointsAsync()));
        Assert.Equal(403, await ApiCalls.StatusOf(() => Api.Webhooks(ApiFixture.BootstrapKey).ListWebhookEndpointsAsync()));
        Assert.Empty((await stranger.ListWebhookEndpointsAsync()).Items);
        Assert.Equal(404, await ApiCalls.StatusOf(() => stranger.GetWebhookEndpointAsync(endpoint.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => stranger.ListWebhookDeliveriesAsync(endpoint.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => stranger.ReviseWebhookEndpointAsync(endpoint.Id, endpoint.Version, new ReviseWebhookEndpointRequest { Enabled = true })));
        Assert.Equal(404, await ApiCalls.StatusOf(() => stranger.ReplayWebhookEventsAsync(endpoint.Id, new ReplayWebhookEventsRequest { After = 0 })));
        Assert.Equal(404, await ApiCalls.StatusOf(() => stranger.RotateWebhookSecretAsync(endpoint.Id, endpoint.Version, new RotateWebhookSecretRequest())));
        Assert.Equal(404, await ApiCalls.StatusOf(() => stranger.GetWebhookEndpointHistoryAsync(endpoint.Id)));
        Assert.False((await webhooks.GetWebhookEndpointAsync(endpoint.Id)).Enabled);
    }

    [Fact]
    public async Task hostile_destinations_and_bodies_are_400s_naming_the_field_and_register_nothing()
    {
        TableResolver.Names["b\u00fccher.example"] = [IPAddress.Parse("10.1.2.3")];
        TableResolver.Names["xn--bcher-kva.example"] = [IPAddress.Parse("10.1.2.3")];
        TableResolver.Names["rebinding.example"] = [IPAddress.Parse("93.184.216.34"), IPAddress.Parse("169.254.169.254")];
        var (organisation, webhooks, _) = await WorldAsync();
        using var http = Api.Http(await organisation.KeyAsync(Role.Admin));
        var urls = new[]
        {
            "ftp://127.0.0.1/hooks", "file:///etc/passwd", "javascript:alert(1)", "gopher://127.0.0.1:70/", "//127.0.0.1/hooks", "hooks", "",
            "http://user:secret@127.0.0.1/hooks", "http://127.0.0.1/hooks#fragment", "http://127.0.0.1/ho\u0000oks", "http://127.0.0.1/ho oks",
            "http://10.0.0.1/hooks", "http://192.168.1.1/", "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/",
            "http://[fd00::1]/", "http://[::ffff:10.0.0.1]/", "http://0.0.0.0/", "http://100.64.0.1/", "http://224.0.0.1/", "http://metadata.google.internal/",
            "http://b\u00fccher.example/", "http://rebinding.example/", "http://does-not-resolve.example/", $"http://127.0.0.1/{new string('a', 2001)}",
            "http://127.0.0.1:0/hooks", "http://127.0.0.1:65536/hooks", "http://127.0.0.1:-1/hooks", "http://[::1/hooks", "http://127.0.0.1\\@10.0.0.1/",
        };
        foreach (var url in urls)
        {
            using var response = await http.PostAsJsonAsync(new Uri("/webhook-endpoints", UriKind.Relative), new { url });
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {problem}");
            Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _), $"{url}: {problem}");
        }

        foreach (var (body, field) in new (string, string)[]
        {
            ("{\"url\":\"http://127.0.0.1/h\",\"types\":[\"orchestra.outcome.exploded.v1\"]}", "types"),
            ($"{{\"url\":\"http://127.0.0.1/h\",\"types\":[{string.Join(',', Enumerable.Repeat("\"orchestra.outcome.defined.v1\"", 51))}]}}", "types"),
            ("{\"url\":\"http://127.0.0.1/h\",\"description\":\"bad\\u0000text\"}", "description"),
            ("{\"url\":\"http://127.0.0.1/h\",\"enabled\":\"yes\"}", "enabled"),
            ("{\"url\":42}", "url"),
            ("{\"url\":\"http://127.0.0.1/h\",\"secret\":\"whsec_mine\"}", "secret"),
            ("{\"url\":\"http://127.0.0.1/h\",\"maxBatch\":0}", "maxBatch"),
            ("{\"url\":\"http://127.0.0.1/h\",\"maxBatch\":101}", "maxBatch"),
            ("{\"url\":\"http://127.0.0.1/h\",\"maxBatch\":\"three\"}", "maxBatch"),
            ("{\"url\":\"http://127.0.0.1/h\",\"maxBatch\":2.5}", "maxBatch"),
            ("{\"url\":\"http://127.0.0.1/h\",\"maxBatch\":99999999999}", "maxBatch"),
        })
        {
            using var response = await http.PostAsync(new Uri("/webhook-endpoints", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode} {problem}");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{body}: {problem}");
        }

        Assert.Equal(404, await ApiCalls.StatusOf(() => webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = "http://127.0.0.1/h", OutcomeId = Guid.NewGuid() })));
        Assert.Empty((await webhooks.ListWebhookEndpointsAsync()).Items);
    }

    [Fact]
    public async Task bad_filters_cursors_and_bodies_on_the_other_routes_are_400s_naming_the_field_and_change_nothing()
    {
        var (organisation, webhooks, _) = await WorldAsync();
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = "http://127.0.0.1:9/hooks", Enabled = false });
        using var http = Api.Http(await organisation.KeyAsync(Role.Admin));
        foreach (var (path, field) in new[]
        {
            ($"/webhook-endpoints/{endpoint.Id}/deliveries?state=Lost", "state"), ($"/webhook-endpoints/{endpoint.Id}/deliveries?type=orchestra.outcome.exploded.v1", "type"),
            ($"/webhook-endpoints/{endpoint.Id}/deliveries?type={new string('t', 101)}", "type"), ($"/webhook-endpoints/{endpoint.Id}/deliveries?limit=0", "limit"),
            ($"/webhook-endpoints/{endpoint.Id}/deliveries?cursor=bm90LWEtY3Vyc29y", "cursor"), ("/webhook-endpoints?enabled=maybe", "enabled"), ("/webhook-endpoints?limit=101", "limit"),
            ($"/webhook-endpoints/{endpoint.Id}/history?cursor=%00", "cursor"),
        })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {problem}");
            Assert.True(problem.GetProperty("errors").EnumerateObject().Any(e => e.Name.Equals(field, StringComparison.OrdinalIgnoreCase) || e.Name == "query"), $"{path}: {problem}");
        }

        foreach (var (path, body, field) in new[]
        {
            ($"/webhook-endpoints/{endpoint.Id}/replay", "{}", "after"), ($"/webhook-endpoints/{endpoint.Id}/replay", "{\"after\":1,\"since\":\"2027-01-01T00:00:00Z\"}", "after"),
            ($"/webhook-endpoints/{endpoint.Id}/replay", "{\"after\":-1}", "after"), ($"/webhook-endpoints/{endpoint.Id}/replay", "{\"after\":99}", "after"),
            ($"/webhook-endpoints/{endpoint.Id}/replay", "{\"after\":\"one\"}", "after"), ($"/webhook-endpoints/{endpoint.Id}/rotate-secret", "{\"overlapHours\":-1}", "overlapHours"),
            ($"/webhook-endpoints/{endpoint.Id}", "{\"maxBatch\":0}", "maxBatch"), ($"/webhook-endpoints/{endpoint.Id}", "{\"maxBatch\":101}", "maxBatch"),
        })
        {
            using var request = new HttpRequestMessage(path.EndsWith(endpoint.Id.ToString(), StringComparison.Ordinal) ? HttpMethod.Patch : HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("If-Match", $"\"{endpoint.Version}\"");
            using var response = await http.SendAsync(request);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} {body}: {(int)response.StatusCode} {problem}");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{path} {body}: {problem}");
        }

        Assert.Equal(endpoint.Version, (await webhooks.GetWebhookEndpointAsync(endpoint.Id)).Version);
        Assert.Empty((await webhooks.ListWebhookDeliveriesAsync(endpoint.Id)).Items);
        Assert.Equal(404, await ApiCalls.StatusOf(() => webhooks.GetWebhookDeliveryAsync(endpoint.Id, Guid.NewGuid())));
        Assert.Equal(404, await ApiCalls.StatusOf(() => webhooks.ReplayWebhookDeliveryAsync(endpoint.Id, Guid.Empty)));
    }

    [Theory]
    [InlineData("127.0.0.1", false, false)]
    [InlineData("127.0.0.1", true, true)]
    [InlineData("::1", true, true)]
    [InlineData("::1", false, false)]
    [InlineData("10.20.30.40", true, false)]
    [InlineData("172.31.255.255", true, false)]
    [InlineData("172.32.0.1", false, true)]
    [InlineData("192.168.0.1", true, false)]
    [InlineData("169.254.169.254", true, false)]
    [InlineData("100.100.100.200", true, false)]
    [InlineData("0.0.0.0", true, false)]
    [InlineData("255.255.255.255", true, false)]
    [InlineData("198.18.0.1", true, false)]
    [InlineData("::ffff:192.168.0.1", true, false)]
    [InlineData("::ffff:8.8.8.8", false, true)]
    [InlineData("64:ff9b::a00:1", true, false)]
    [InlineData("2002:a00:1::1", true, false)]
    [InlineData("fe80::1", true, false)]
    [InlineData("fc00::1", true, false)]
    [InlineData("ff02::1", true, false)]
    [InlineData("::", true, false)]
    [InlineData("8.8.8.8", false, true)]
    [InlineData("2606:4700:4700::1111", false, true)]
    public void the_guard_decides_on_each_address_without_connecting_to_it(string address, bool allowLoopback, bool allowed) =>
        Assert.Equal(allowed, OrchestraApi.Webhooks.WebhookDestinations.RefusalOf(IPAddress.Parse(address), allowLoopback) is null);

    [Fact]
    public void the_form_of_a_url_is_judged_before_any_resolution_and_loopback_and_http_only_where_configured()
    {
        var strict = new OrchestraApi.Webhooks.WebhookSettings();
        var local = new OrchestraApi.Webhooks.WebhookSettings { AllowHttp = true, AllowLoopback = true };

        Assert.NotNull(OrchestraApi.Webhooks.WebhookDestinations.RefusalOfForm("http://hooks.example.com/", strict));
        Assert.Null(OrchestraApi.Webhooks.WebhookDestinations.RefusalOfForm("https://hooks.example.com/", strict));
        Assert.NotNull(OrchestraApi.Webhooks.WebhookDestinations.RefusalOfForm("https://localhost/", strict));
        Assert.NotNull(OrchestraApi.Webhooks.WebhookDestinations.RefusalOfForm("https://127.0.0.1/", strict));
        Assert.NotNull(OrchestraApi.Webhooks.WebhookDestinations.RefusalOfForm("https://[::1]:8443/", strict));
        Assert.Null(OrchestraApi.Webhooks.WebhookDestinations.RefusalOfForm("http://127.0.0.1:5000/hooks", local));
        Assert.NotNull(OrchestraApi.Webhooks.WebhookDestinations.RefusalOfForm("https://a:b@hooks.example.com/", strict));
        Assert.NotNull(OrchestraApi.Webhooks.WebhookDestinations.RefusalOfForm("https://metadata.google.internal./", strict));
        Assert.Null(OrchestraApi.Webhooks.WebhookDestinations.RefusalOfForm("https://b\u00fccher.example:8443/hooks?x=1", strict));
        Assert.True(OrchestraApi.Webhooks.WebhookSettings.PublishedSchedule.Aggregate(TimeSpan.Zero, (a, b) => a + b) >= TimeSpan.FromDays(3));
    }

    [Fact]
    public async Task concurrent_writers_on_one_version_lose_with_412_and_concurrent_retries_of_one_key_register_once()
    {
        var (_, webhooks, _) = await WorldAsync();
        var key = Guid.NewGuid().ToString();
        var registered = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = "http://127.0.0.1:9/hooks", Enabled = false }, key)));
        var endpoint = registered[0];

        Assert.Single(registered.Select(r => r.Id).Distinct());
        Assert.Single((await webhooks.ListWebhookEndpointsAsync()).Items);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ApiCalls.StatusOf(() => webhooks.ReviseWebhookEndpointAsync(endpoint.Id, endpoint.Version, new ReviseWebhookEndpointRequest { Description = $"Writer {i}" }))));
        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.Equal(7, statuses.Count(s => s == 412));
        Assert.Equal(2, (await webhooks.GetWebhookEndpointHistoryAsync(endpoint.Id)).Items.Count);
    }


    [Fact]
    public async Task an_endpoint_receives_only_what_follows_its_registration_however_far_the_feed_trails_the_writes()
    {
        // The feed may number an event committed before a registration after the endpoint's document exists (it trails
        // the writes); the fan-out compares store order, not what exists when the page is numbered.
        var (organisation, webhooks, _) = await WorldAsync();
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = "http://127.0.0.1:9/hook" });
        await using var session = Api.Store.LightweightSession(organisation.Id.ToString());
        var registration = (await session.Events.FetchStreamAsync(endpoint.Id))[0].Sequence;
        OrchestraApi.Feed.FeedEntry Entry(long position) => new(
            position, Guid.NewGuid(), "orchestra.outcome.defined.v1", "outcome", "/outcomes/x", Guid.NewGuid(), 1, Guid.NewGuid(), DateTimeOffset.UtcNow, JsonDocument.Parse("{}").RootElement, []);
        var before = Entry(1);
        var after = Entry(2);

        await OrchestraApi.Webhooks.WebhookFanOut.QueueAsync(session, [(before, registration - 1), (after, registration + 1)], CancellationToken.None);

        var queued = session.PendingChanges.AllChangedFor<OrchestraApi.Webhooks.WebhookDelivery>().ToList();
        Assert.Equal([after.Id], queued.Select(d => d.Position));
        Assert.All(queued, d => Assert.Equal(endpoint.Id, d.EndpointId));
    }

    [Fact]
    public async Task an_endpoint_that_takes_batches_gets_a_busy_outcomes_waiting_events_together_in_order_signed_and_each_batch_id_made_from_its_events()
    {
        await using var receiver = await Receiver.StartAsync();
        var (_, webhooks, outcomes) = await WorldAsync();
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "Busy"));
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = receiver.Url, OutcomeId = outcome.Id, MaxBatch = 3 });
        var failing = true;
        receiver.Answer = _ => failing ? 503 : 200;

        // Seven changes while the receiver fails: they wait behind the first, then go three at a time.
        for (var i = 0; i < 7; i++)
        {
            outcome = await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = $"Busy {i}" });
        }

        await Api.WaitForProjectionsAsync();
        await receiver.UntilAsync(r => r.Any(x => x.Json.GetArrayLength() == 3));
        failing = false;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<WebhookDeliveryDetails> deliveries;
        do
        {
            await Task.Delay(100);
            deliveries = (await webhooks.ListWebhookDeliveriesAsync(endpoint.Id)).Items.ToList();
        }
        while (deliveries.Any(d => d.State != WebhookDeliveryState.Delivered) && clock.Elapsed < TimeSpan.FromSeconds(20));

        var received = receiver.All.ToList();
        Assert.Equal(7, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(WebhookDeliveryState.Delivered, d.State));
        Assert.All(received, r =>
        {
            Assert.StartsWith("application/cloudevents-batch+json", r.Headers["Content-Type"].ToString(), StringComparison.Ordinal);
            new StandardWebhook(endpoint.Secret!).Verify(r.Body, r.Headers);
            var events = CloudEvent.FromWebhook(r.Body);
            Assert.InRange(events.Count, 1, 3);
            Assert.Equal(events.Select(e => e.Position).Order(), events.Select(e => e.Position));
            // The id is made from the events' ids: the same events, the same id.
            Assert.Equal(OrchestraApi.Webhooks.WebhookDispatcher.BatchId(events.Select(e => Guid.Parse(e.Id))).ToString(), r.Id);
        });
        Assert.All(received.GroupBy(r => r.Id), g => Assert.Single(g.Select(r => r.Body).Distinct()));

        // Each delivery's last attempt names the request that delivered it, which held its event.
        var byId = received.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => CloudEvent.FromWebhook(g.First().Body));
        foreach (var d in deliveries)
        {
            var last = d.Attempts[^1];
            Assert.Equal(200, last.Status);
            var batch = byId[last.BatchId!.Value.ToString()];
            Assert.Equal(batch.Count, last.BatchSize);
            Assert.Contains(batch, e => e.Id == d.WebhookId.ToString());
        }

        var delivering = deliveries.Select(d => d.Attempts[^1].BatchId!.Value.ToString()).Distinct().ToList();
        Assert.Equal([3, 3, 1], delivering.Select(id => byId[id]).OrderBy(b => b[0].Position).Select(b => b.Count));
        var firstSeen = received.SelectMany(r => CloudEvent.FromWebhook(r.Body)).Select(e => e.Position).Distinct().ToList();
        Assert.Equal(firstSeen.Order(), firstSeen);
        Assert.Equal(7, firstSeen.Count);

        var revised = await webhooks.ReviseWebhookEndpointAsync(endpoint.Id, endpoint.Version, new ReviseWebhookEndpointRequest { MaxBatch = 1 });
        Assert.Equal(1, revised.MaxBatch);
        Assert.Equal(3, endpoint.MaxBatch);
        await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = "Alone" });
        var alone = (await receiver.UntilAsync(r => r.Count > received.Count))[received.Count];
        Assert.Equal("application/json; charset=utf-8", alone.Headers["Content-Type"].ToString());
        Assert.Equal(alone.Json.GetProperty("id").GetString(), alone.Id);
    }
    private static Microsoft.AspNetCore.Http.HeaderDictionary With(Received r, string signature) => new(r.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase))
    {
        ["webhook-signature"] = signature,
    };

    private static string Partition(Received r) => r.Json.GetProperty("partitionkey").GetString()!;

    private static string Type(Received r) => r.Json.GetProperty("type").GetString()!;

    private async Task<(TestOrganisation Organisation, WebhooksClient Webhooks, OutcomesClient Outcomes)> WorldAsync()
    {
        var organisation = await Api.NewOrganisationAsync();
        return (organisation, Api.Webhooks(await organisation.KeyAsync(Role.Admin)), Api.Outcomes(await organisation.KeyAsync(Role.Conductor)));
    }
}
