using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using JasperFx.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrchestraApi.Cluster;
using OrchestraApi.Feed;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Platform;

/// <summary>One loopback cluster for the class: PostgreSQL, three API processes, haproxy. Tests restart what they killed.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public LoopbackCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await LoopbackCluster.StartAsync(3, settings: new Dictionary<string, string>
    {
        // Webhooks to a receiver of the test on loopback, retried within a second.
        ["Orchestra__Webhooks__AllowLoopback"] = "true",
        ["Orchestra__Webhooks__AllowHttp"] = "true",
        ["Orchestra__Webhooks__RetryDelays__0"] = "00:00:00.2",
        ["Orchestra__Webhooks__RetryDelays__1"] = "00:00:00.5",
        ["Orchestra__Webhooks__RetryDelays__2"] = "00:00:01",
        ["Orchestra__Webhooks__RetryDelays__3"] = "00:00:01",
        ["Orchestra__Webhooks__RetryDelays__4"] = "00:00:01",
        ["Orchestra__Webhooks__RetryDelays__5"] = "00:00:01",
        ["Orchestra__Webhooks__RetryDelays__6"] = "00:00:01",
        ["Orchestra__Webhooks__RetryDelays__7"] = "00:00:01",
        ["Orchestra__Webhooks__RetryDelays__8"] = "00:00:01",
        ["Orchestra__Webhooks__RetryDelays__9"] = "00:00:01",
    });

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Several nodes as real processes behind haproxy (issue 20): SIGKILL under writes, the daemon's leader killed, a
/// revocation heard by another node, a live stream resumed through another node.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class ClusterTests(ClusterFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ClusterFixture>, IAsyncLifetime
{
    private readonly LoopbackCluster _cluster = fixture.Cluster;
    private readonly List<ServiceProvider> _providers = [];

    /// <summary>Every node up and back in haproxy's rotation before each test.</summary>
    public async Task InitializeAsync()
    {
        var restarted = false;
        foreach (var node in _cluster.Nodes.Where(n => !n.IsRunning))
        {
            await node.StartAsync();
            restarted = true;
        }

        if (restarted)
        {
            // haproxy marks a node up after two passing checks 500 ms apart.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }

    [Fact]
    public async Task a_node_killed_under_sdk_writes_loses_no_acknowledged_write_and_stores_none_twice()
    {
        var seen = new Failures();
        var (outcomes, _) = await OrganisationAsync(_cluster.Proxy.Address, seen);
        var acknowledged = new ConcurrentDictionary<Guid, (string Title, long Version)>();
        var failures = new ConcurrentQueue<Exception>();
        using var stop = new CancellationTokenSource();

        async Task WriteAsync(int writer)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var title = $"Writer {writer} outcome {n}";
                    var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: title));
                    acknowledged[outcome.Id] = (outcome.Title, outcome.Version);
                    for (var revision = 1; revision <= 2; revision++)
                    {
                        outcome = await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = $"{title} revision {revision}" });
                        acknowledged[outcome.Id] = (outcome.Title, outcome.Version);
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                }
            }
        }

        var writers = Enumerable.Range(1, 6).Select(w => Task.Run(() => WriteAsync(w))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = acknowledged.Count;
        _cluster.Node("node2").Kill();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var stored = await outcomes.ListAllOutcomesAsync().ToListAsync();
        output.WriteLine($"{acknowledged.Count} outcomes written ({before} before the kill); the SDK retried {seen.Summary}.");
        Assert.Empty(failures);
        Assert.True(before > 0 && acknowledged.Count > before, $"{before} outcomes before the kill, {acknowledged.Count} in all: writes went on after it.");
        Assert.Equal(stored.Count, stored.Select(o => o.Title.Split(" revision")[0]).Distinct().Count());
        Assert.Equal(acknowledged.Count, stored.Count);
        Assert.All(acknowledged, a =>
        {
            var outcome = Assert.Single(stored, o => o.Id == a.Key);
            Assert.Equal(a.Value, (outcome.Title, outcome.Version));
        });
    }

    [Fact]
    public async Task when_the_daemons_leader_is_killed_another_node_leads_within_2_s_and_the_kpi_catalogue_and_the_feed_equal_the_events()
    {
        var (outcomes, organisation) = await OrganisationAsync(_cluster.Proxy.Address);
        var leaders = await LeadersAsync(_cluster.Nodes);
        using var stop = new CancellationTokenSource();
        var written = 0;

        async Task WriteAsync(int writer)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: $"Writer {writer} outcome {n}", kpis: OutcomeSamples.Clv($"kpi-{n % 7}")));
                Interlocked.Increment(ref written);
            }
        }

        var writers = Enumerable.Range(1, 4).Select(w => Task.Run(() => WriteAsync(w))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var clock = Stopwatch.StartNew();
        foreach (var leader in leaders)
        {
            leader.Kill();
        }

        var next = (await LeadersAsync(_cluster.Nodes.Where(n => n.IsRunning).ToList()))[0];
        var takeover = clock.Elapsed;
        var killed = string.Join(" and ", leaders.Select(l => l.Name));
        output.WriteLine($"{killed} killed; every shard ran again {takeover.TotalMilliseconds:0} ms later.");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        await CaughtUpAsync(next);

        var expected = await KpiUsageFromEventsAsync(organisation);
        var catalogue = (await outcomes.ListAllKpiCatalogueAsync().ToListAsync()).ToDictionary(e => e.Key, e => e.Outcomes);
        Assert.True(takeover < TimeSpan.FromSeconds(2), $"Every shard ran again {takeover.TotalMilliseconds:0} ms after {killed} was killed.");
        Assert.Equal(written, expected.Values.Sum());
        Assert.Equal(expected, catalogue);
        var (positions, entries, events) = await FeedAndEventsAsync(organisation);
        Assert.Equal(Enumerable.Range(1, positions.Count).Select(p => (long)p), positions);
        Assert.Equal(events, entries);
    }

    [Fact]
    public async Task webhooks_pending_when_the_sending_node_is_killed_all_arrive_from_the_next_leader_in_order_per_outcome_with_their_ids()
    {
        await using var receiver = await Webhooks.Receiver.StartAsync();
        receiver.Answer = _ => 503;
        var (outcomes, organisation) = await OrganisationAsync(_cluster.Proxy.Address);
        var admin = Sdk(_cluster.Node("node1").Address, LoopbackCluster.BootstrapKey).GetRequiredService<IOrganisationsClient>();
        var adminKey = (await admin.IssueApiKeyAsync(organisation, new IssueApiKeyRequest { Name = "Admin", Role = Role.Admin, Disciplines = [] })).Key;
        var webhooks = Sdk(_cluster.Proxy.Address, adminKey).GetRequiredService<IWebhooksClient>();
        var endpoint = await webhooks.RegisterWebhookEndpointAsync(new RegisterWebhookEndpointRequest { Url = receiver.Url, Types = ["orchestra.outcome.defined.v1", "orchestra.outcome.revised.v1"] });
        var written = new List<OutcomeDetails>();
        for (var i = 0; i < 10; i++)
        {
            var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: $"Outcome {i}"));
            written.Add(await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = $"Outcome {i}, revised" }));
        }

        // Every outcome's first event has failed at least once: the deliveries are pending when the sender dies.
        await receiver.UntilAsync(r => r.Select(x => x.Json.GetProperty("partitionkey").GetString()).Distinct().Count() >= 10);
        foreach (var leader in await LeadersAsync(_cluster.Nodes))
        {
            leader.Kill();
        }

        var failedBeforeKill = receiver.All.Count;
        receiver.Answer = _ => 200;
        var received = await receiver.UntilAsync(r => r.Select(x => x.Id).Distinct().Count() >= 20, seconds: 60);
        await CaughtUpAsync((await LeadersAsync(_cluster.Nodes.Where(n => n.IsRunning).ToList()))[0]);

        var feed = await Sdk(_cluster.Proxy.Address, adminKey).GetRequiredService<IEventsClient>().ListAllEventsAsync(types: ["orchestra.outcome.defined.v1", "orchestra.outcome.revised.v1"]).ToListAsync();
        output.WriteLine($"{failedBeforeKill} failed attempts before the kill, {received.Count} requests in all for {feed.Count} events.");
        Assert.Equal(20, feed.Count);
        Assert.Equal(feed.Select(e => e.Id).Order(), received.Select(r => r.Id).Distinct().Order());
        // A duplicate is only ever the same event again: same id, same body.
        Assert.All(received.GroupBy(r => r.Id), g => Assert.Single(g.Select(r => r.Body).Distinct()));
        foreach (var outcome in written)
        {
            var firsts = received.Where(r => r.Json.GetProperty("partitionkey").GetString() == outcome.Id.ToString()).Select(r => r.Json.GetProperty("type").GetString()).Distinct();
            Assert.Equal(["orchestra.outcome.defined.v1", "orchestra.outcome.revised.v1"], firsts);
        }

        Assert.Empty((await webhooks.ListWebhookDeliveriesAsync(endpoint.Id, WebhookDeliveryState.Pending)).Items);
    }

    [Fact]
    public async Task a_trigger_crossed_through_all_three_nodes_at_once_fires_once_and_after_its_leader_is_killed_fires_again_once()
    {
        var (outcomes, _) = await OrganisationAsync(_cluster.Proxy.Address);
        var draft = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        var outcome = await outcomes.ActivateOutcomeAsync(draft.Id, draft.Version);
        var key = _key!;
        var triggers = Sdk(_cluster.Proxy.Address, key).GetRequiredService<ITriggersClient>();
        var trigger = await triggers.DefineTriggerAsync(new DefineTriggerRequest
        {
            Name = "CLV halfway",
            Condition = new TriggerCondition { Kind = TriggerKind.KpiProgressCrossed, Kpi = "clv", Progress = 50 },
            Scope = new TriggerScope { OutcomeIds = [outcome.Id] },
        });
        async Task ObserveEverywhereAsync(decimal value) => await Task.WhenAll(_cluster.Nodes.Where(n => n.IsRunning).SelectMany(node => Enumerable.Range(0, 4).Select(_ =>
            Sdk(node.Address, key).GetRequiredService<IResultsClient>().ObserveKpiAsync(outcome.Id, "clv", new ObserveKpiRequest { Value = value, ObservedAt = DateTimeOffset.UtcNow }))));
        async Task<List<TriggerFiringDetails>> FiringsAsync(Func<List<TriggerFiringDetails>, bool> done)
        {
            var clock = Stopwatch.StartNew();
            List<TriggerFiringDetails> now;
            while (!done(now = [.. (await triggers.ListTriggerFiringsAsync(trigger.Id)).Items]) && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200);
            }

            return now;
        }

        await ObserveEverywhereAsync(500m);
        var first = await FiringsAsync(f => f.Count >= 1);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var settled = await FiringsAsync(_ => true);
        foreach (var leader in await LeadersAsync(_cluster.Nodes))
        {
            leader.Kill();
        }

        await ObserveEverywhereAsync(420m);
        await FiringsAsync(f => f.Count == 1 && f[0].State == TriggerFiringState.Cleared);
        await ObserveEverywhereAsync(480m);
        var again = await FiringsAsync(f => f.Count >= 2);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = await FiringsAsync(_ => true);

        output.WriteLine(string.Join(Environment.NewLine, after.Select(f => $"{f.FiredAt:HH:mm:ss.fff} {f.State} [{string.Join(',', f.Positions)}] {f.Summary}")));
        Assert.Single(first);
        Assert.Single(settled);
        Assert.Equal(2, after.Count);
        Assert.Equal([TriggerFiringState.Cleared, TriggerFiringState.Open], after.OrderBy(f => f.FiredAt).Select(f => f.State));
        Assert.Equal(100m, after.OrderBy(f => f.FiredAt).First().Values["progress"]);
        Assert.Equal(75m, after.OrderBy(f => f.FiredAt).Last().Values["progress"]);
    }

    [Fact]
    public async Task a_key_revoked_through_node1_is_refused_by_node3_within_a_second()
    {
        var admin = Sdk(_cluster.Node("node1").Address, LoopbackCluster.BootstrapKey).GetRequiredService<IOrganisationsClient>();
        var organisation = await admin.CreateOrganisationAsync(new CreateOrganisationRequest { Name = "Revoked elsewhere" });
        var issued = await admin.IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest { Name = "Soon revoked", Role = Role.Cmo, Disciplines = [] });
        using var node3 = new HttpClient { BaseAddress = _cluster.Node("node3").Address };
        node3.DefaultRequestHeaders.Add("X-Api-Key", issued.Key);
        using (var known = await node3.GetAsync(new Uri("/outcomes", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        }

        await admin.RevokeApiKeyAsync(organisation.Id, issued.Id);
        var (status, after) = await ApiCalls.UntilRefusedAsync(node3, "/outcomes");

        output.WriteLine($"node3 refused the key {after.TotalMilliseconds:0} ms after node1 revoked it.");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(after < TimeSpan.FromSeconds(1), $"node3 refused the key {after.TotalMilliseconds:0} ms after node1 revoked it.");
    }

    [Fact]
    public async Task a_live_stream_through_the_proxy_resumes_through_another_node_after_its_node_is_killed_with_nothing_missed()
    {
        var (outcomes, _) = await OrganisationAsync(_cluster.Proxy.Address);
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        var servedBy = new ServedBy();
        var status = Sdk(_cluster.Proxy.Address, _key!, servedBy).GetRequiredService<IStatusClient>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await using var events = status.WatchOutcomeStatusAsync(outcome.Id, reconnectDelay: TimeSpan.FromMilliseconds(200), cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);

        var snapshot = await NextAsync(events);
        var streamNode = _cluster.Node(servedBy.Last!);
        var writer = _cluster.Nodes.First(n => n != streamNode);
        var direct = Sdk(writer.Address, _key!).GetRequiredService<IOutcomesClient>();
        var once = await direct.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { EndsOn = outcome.EndsOn.AddDays(1) });
        var live = await NextAsync(events);
        streamNode.Kill();
        var twice = await direct.ReviseOutcomeAsync(outcome.Id, once.Version, new ReviseOutcomeRequest { EndsOn = outcome.EndsOn.AddDays(2) });
        var resumed = await NextAsync(events);

        Assert.Equal(StatusEventKind.Snapshot, snapshot.Kind);
        Assert.Equal(StatusEventKind.Change, live.Kind);
        Assert.Contains(live.Changes, c => c.Kind == StatusChangeKind.OutcomeChanged && c.Detail.Contains($"{once.EndsOn:yyyy-MM-dd}.", StringComparison.Ordinal));
        Assert.NotEqual(streamNode.Name, servedBy.Last);
        Assert.Equal(StatusEventKind.CatchUp, resumed.Kind);
        Assert.Contains(resumed.Changes, c => c.Kind == StatusChangeKind.OutcomeChanged && c.Detail.Contains($"{twice.EndsOn:yyyy-MM-dd}.", StringComparison.Ordinal));
    }

    private string? _key;

    /// <summary>A new organisation (through the proxy) and its conductor's SDK client.</summary>
    private async Task<(IOutcomesClient Outcomes, Guid Organisation)> OrganisationAsync(Uri address, DelegatingHandler? outermost = null)
    {
        var admin = Sdk(address, LoopbackCluster.BootstrapKey).GetRequiredService<IOrganisationsClient>();
        var organisation = await admin.CreateOrganisationAsync(new CreateOrganisationRequest { Name = "Clustered" });
        _key = (await admin.IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest { Name = "Conductor", Role = Role.Conductor, Disciplines = [] })).Key;
        return (Sdk(address, _key, outermost).GetRequiredService<IOutcomesClient>(), organisation.Id);
    }

    private ServiceProvider Sdk(Uri address, string key, DelegatingHandler? outermost = null)
    {
        var services = new ServiceCollection();
        var client = services.AddOrchestraApiClient(o =>
        {
            (o.BaseAddress, o.ApiKey) = (address, key);
            o.FirstRetryDelay = TimeSpan.FromMilliseconds(100);
        });
        if (outermost is not null)
        {
            client.AddHttpMessageHandler(() => outermost);
        }

        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    /// <summary>
    /// The nodes whose daemons lead — run the async shards (each shard has its own lock, so they may lead on different
    /// nodes) — once every shard runs on one of <paramref name="nodes"/>.
    /// </summary>
    private static async Task<IReadOnlyList<ApiNode>> LeadersAsync(IReadOnlyList<ApiNode> nodes)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        http.DefaultRequestHeaders.Add("X-Api-Key", LoopbackCluster.BootstrapKey);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var reports = new List<(ApiNode Node, DaemonReport Report)>();
            foreach (var node in nodes)
            {
                reports.Add((node, (await http.GetFromJsonAsync<DaemonReport>(new Uri(node.Address, "health/daemon")))!));
            }

            // Every node reports every shard the API declares; each must run on one of them.
            var shards = reports[0].Report.Shards.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            var running = reports.SelectMany(r => r.Report.RunningHere).ToHashSet(StringComparer.Ordinal);
            if (shards.Count > 0 && running.IsSupersetOf(shards))
            {
                return [.. reports.Where(r => r.Report.Leads).Select(r => r.Node)];
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The async shards did not all run on a node within 30 s.");
    }

    /// <summary>Every shard has caught up with the high-water mark (as <paramref name="leader"/> reports it), and that mark covers every event.</summary>
    private async Task CaughtUpAsync(ApiNode leader)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", LoopbackCluster.BootstrapKey);
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var last = new NpgsqlCommand("SELECT coalesce(max(seq_id), 0) FROM mt_events", connection);
        var sequence = (long)(await last.ExecuteScalarAsync())!;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var report = await http.GetFromJsonAsync<DaemonReport>(new Uri(leader.Address, "health/daemon"));
            if (report!.HighWaterMark >= sequence && report.Shards.Count > 0 && report.Shards.All(s => s.Sequence >= sequence))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"The projections did not reach sequence {sequence} within 30 s.");
    }

    /// <summary>The KPI catalogue computed straight from the events: outcomes per KPI key.</summary>
    private async Task<Dictionary<string, int>> KpiUsageFromEventsAsync(Guid organisation)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT data -> 'kpi' ->> 'key', count(*) FROM mt_events WHERE tenant_id = @tenant AND type = @added GROUP BY 1", connection);
        command.Parameters.AddWithValue("tenant", organisation.ToString());
        command.Parameters.AddWithValue("added", typeof(OrchestraApi.Outcomes.KpiAdded).GetEventTypeName());
        await using var reader = await command.ExecuteReaderAsync();
        var usage = new Dictionary<string, int>();
        while (await reader.ReadAsync())
        {
            usage[reader.GetString(0)] = (int)reader.GetInt64(1);
        }

        return usage;
    }

    /// <summary>The organisation's feed (positions and event ids, in position order) and its public events in Marten's order.</summary>
    private async Task<(List<long> Positions, List<Guid> Entries, List<Guid> Events)> FeedAndEventsAsync(Guid organisation)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        var (positions, entries, events) = (new List<long>(), new List<Guid>(), new List<Guid>());
        await using (var feed = new NpgsqlCommand("SELECT id, (data ->> 'eventId')::uuid FROM mt_doc_feedentry WHERE tenant_id = @tenant ORDER BY id", connection))
        {
            feed.Parameters.AddWithValue("tenant", organisation.ToString());
            await using var reader = await feed.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                positions.Add(reader.GetInt64(0));
                entries.Add(reader.GetGuid(1));
            }
        }

        // The internal events (PublicEvents.Internal) take no position.
        await using var stored = new NpgsqlCommand("SELECT id FROM mt_events WHERE tenant_id = @tenant AND type <> ALL(@internal) ORDER BY seq_id", connection);
        stored.Parameters.AddWithValue("tenant", organisation.ToString());
        stored.Parameters.AddWithValue("internal", PublicEvents.Internal.Select(t => t.GetEventTypeName()).ToArray());
        await using (var reader = await stored.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                events.Add(reader.GetGuid(0));
            }
        }

        return (positions, entries, events);
    }

    private static async Task<StatusEvent> NextAsync(IAsyncEnumerator<StatusEvent> events)
    {
        var next = events.MoveNextAsync().AsTask();
        Assert.True(await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(20))) == next, "No status event within 20 seconds.");
        Assert.True(await next, "The stream ended.");
        return events.Current;
    }

    private sealed record DaemonReport(string Mode, bool Leads, long HighWaterMark, IReadOnlyList<string> RunningHere, IReadOnlyList<ShardProgress> Shards);

    private sealed record ShardProgress(string Name, long Sequence, long Lag);

    /// <summary>What reached the SDK's retries from the wire: 5xx answers and failed connections.</summary>
    private sealed class Failures : DelegatingHandler
    {
        private readonly ConcurrentDictionary<string, int> _seen = new();

        public string Summary => _seen.IsEmpty ? "nothing" : string.Join(", ", _seen.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Value} × {s.Key}"));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                if ((int)response.StatusCode >= 500)
                {
                    _seen.AddOrUpdate($"{request.Method} {(int)response.StatusCode}", 1, (_, n) => n + 1);
                }

                return response;
            }
            catch (HttpRequestException)
            {
                _seen.AddOrUpdate($"{request.Method} connection failure", 1, (_, n) => n + 1);
                throw;
            }
        }
    }

    /// <summary>Which node haproxy sent the last answer from (its Served-By header).</summary>
    private sealed class ServedBy : DelegatingHandler
    {
        public string? Last { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Served-By", out var node))
            {
                Last = node.Single();
            }

            return response;
        }
    }
}
