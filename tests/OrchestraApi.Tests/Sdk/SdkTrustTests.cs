using System.Collections.Concurrent;
using System.Net;
using System.Reflection.PortableExecutable;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Sdk;

/// <summary>
/// The SDK never lies about a change (issue 18): lost answers, restarts and outages, values it does not know, and
/// what an answer says besides its body — through AddOrchestraApiClient against the real API, with only the network
/// between them simulated where a test needs it to fail.
/// </summary>
public sealed class SdkTrustTests(ApiFixture api) : ApiTest(api)
{
    private static ServiceProvider Register(ApiFixture host, string key, Action<OrchestraApiClientOptions>? configure = null, params DelegatingHandler[] network)
    {
        var services = new ServiceCollection();
        var builder = services.AddOrchestraApiClient(o =>
        {
            o.BaseAddress = new Uri("http://localhost/");
            o.ApiKey = key;
            o.FirstRetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
            configure?.Invoke(o);
        });
        foreach (var handler in network)
        {
            builder.AddHttpMessageHandler(() => handler);
        }

        builder.ConfigurePrimaryHttpMessageHandler(() => host.Factory.Server.CreateHandler());
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task a_change_whose_answer_was_lost_is_retried_with_its_generated_key_and_answers_as_it_did_instead_of_412()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        await using var setup = Register(Api, key);
        var outcome = await setup.GetRequiredService<IOutcomesClient>().DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        var lossy = new LoseFirstAnswer(HttpMethod.Patch, $"/outcomes/{outcome.Id}");
        await using var provider = Register(Api, key, network: lossy);
        var outcomes = provider.GetRequiredService<IOutcomesClient>();

        var revised = await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = "Win back lapsed members, faster" });

        Assert.Equal(2, lossy.Sent.Count);
        Assert.Single(lossy.Sent.Distinct());
        Assert.True(Guid.TryParse(lossy.Sent[0], out _), lossy.Sent[0]);
        Assert.Equal("Win back lapsed members, faster", revised.Title);
        var read = await outcomes.GetOutcomeAsync(outcome.Id);
        Assert.Equal((revised.Version, revised.Title), (read.Version, read.Title));
        Assert.Single((await outcomes.GetOutcomeHistoryAsync(outcome.Id)).Items, c => c.Change == "revised");
    }

    [Fact]
    public async Task every_change_honours_idempotency_key_concurrent_retries_apply_once_and_another_body_is_a_typed_422()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        await using var provider = Register(Api, key);
        var outcomes = provider.GetRequiredService<IOutcomesClient>();
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));

        var retries = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version, "activate-once")));
        var revised = await outcomes.ReviseOutcomeAsync(outcome.Id, retries[0].Version, new ReviseOutcomeRequest { Title = "First title" }, "revise-once");
        var reused = await Assert.ThrowsAsync<IdempotencyKeyReusedProblemException>(() => outcomes.ReviseOutcomeAsync(outcome.Id, retries[0].Version, new ReviseOutcomeRequest { Title = "Another title" }, "revise-once"));
        var otherVersion = await Assert.ThrowsAsync<IdempotencyKeyReusedProblemException>(() => outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version + 1, "activate-once"));

        Assert.Single(retries.Select(r => r.Version).Distinct());
        Assert.All(retries, r => Assert.Equal(OutcomeStatus.Active, r.Status));
        var history = (await outcomes.GetOutcomeHistoryAsync(outcome.Id)).Items.Select(c => c.Change).ToList();
        Assert.Single(history, c => c == "activated");
        Assert.Single(history, c => c == "revised");
        Assert.Equal("First title", (await outcomes.GetOutcomeAsync(outcome.Id)).Title);
        Assert.Equal("First title", revised.Title);
        Assert.Equal(422, reused.StatusCode);
        Assert.Equal("revise-once", reused.IdempotencyKey);
        Assert.Equal(422, otherVersion.StatusCode);
    }

    [Fact]
    public async Task an_api_key_is_never_issued_twice_for_one_idempotency_key_and_the_retry_names_the_key_already_issued()
    {
        var organisation = await Api.NewOrganisationAsync();
        await using var provider = Register(Api, ApiFixture.BootstrapKey);
        var keys = provider.GetRequiredService<IOrganisationsClient>();
        var request = new IssueApiKeyRequest { Name = "Nightly import", Role = Role.Orchestrator, Disciplines = [Discipline.Crm] };

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            try
            {
                return (Issued: await keys.IssueApiKeyAsync(organisation.Id, request, "issue-nightly"), Problem: (ConflictProblemException?)null);
            }
            catch (ConflictProblemException e)
            {
                return (Issued: (IssuedApiKey?)null, Problem: e);
            }
        }));

        var issued = Assert.Single(attempts, a => a.Issued is not null).Issued!;
        Assert.All(attempts.Where(a => a.Issued is null), a => Assert.Equal("api-key-shown-once", a.Problem!.Rule));
        Assert.All(attempts.Where(a => a.Issued is null), a => Assert.Contains(issued.Id.ToString(), a.Problem!.Detail, StringComparison.Ordinal));
        Assert.Single((await keys.ListApiKeysAsync(organisation.Id)).Items, k => k.Name == "Nightly import");
    }

    [Fact]
    public async Task a_restart_within_the_retry_budget_is_ridden_out_and_a_longer_outage_hands_over_the_key_for_a_safe_retry()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var restart = new Outage();
        await using var patient = Register(Api, key, o => (o.RetryBudget, o.MaxRetries) = (TimeSpan.FromSeconds(10), 1_000), restart);
        var brief = new Outage();
        await using var impatient = Register(Api, key, o => (o.RetryBudget, o.MaxRetries) = (TimeSpan.FromMilliseconds(300), 1_000), brief);

        restart.Refuse(TimeSpan.FromSeconds(1.5));
        var ridden = await patient.GetRequiredService<IOutcomesClient>().DefineOutcomeAsync(OutcomeSamples.Define("Ridden out", kpis: OutcomeSamples.Clv()));
        brief.Refuse(TimeSpan.FromSeconds(30));
        var unreachable = await Assert.ThrowsAsync<ApiUnreachableException>(() => impatient.GetRequiredService<IOutcomesClient>().DefineOutcomeAsync(OutcomeSamples.Define("Later", kpis: OutcomeSamples.Clv())));
        brief.Restore();
        var later = await impatient.GetRequiredService<IOutcomesClient>().DefineOutcomeAsync(OutcomeSamples.Define("Later", kpis: OutcomeSamples.Clv()), unreachable.IdempotencyKey);
        var again = await impatient.GetRequiredService<IOutcomesClient>().DefineOutcomeAsync(OutcomeSamples.Define("Later", kpis: OutcomeSamples.Clv()), unreachable.IdempotencyKey);

        Assert.True(restart.Refused > 1, $"refused {restart.Refused}");
        Assert.NotNull(unreachable.IdempotencyKey);
        Assert.True(unreachable.Attempts > 1, $"attempts {unreachable.Attempts}");
        Assert.Contains(unreachable.IdempotencyKey!, unreachable.Message, StringComparison.Ordinal);
        Assert.Equal(later.Id, again.Id);
        var titles = (await patient.GetRequiredService<IOutcomesClient>().ListOutcomesAsync()).Items.Select(o => o.Title).Order();
        Assert.Equal(["Later", "Ridden out"], titles);
        Assert.NotEqual(Guid.Empty, ridden.Id);
    }

    [Fact]
    public async Task watching_an_outcome_resumes_through_an_outage_and_catches_up_on_what_changed_meanwhile()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var outage = new Outage();
        await using var provider = Register(Api, await w.World.Organisation.KeyAsync(Role.Cmo), o => o.RetryBudget = TimeSpan.FromMilliseconds(200), outage);
        var status = provider.GetRequiredService<IStatusClient>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var events = status.WatchOutcomeStatusAsync(w.OutcomeId, reconnectDelay: TimeSpan.FromMilliseconds(100), cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal(StatusEventKind.Snapshot, events.Current.Kind);
        outage.Refuse(TimeSpan.FromSeconds(2));
        var during = await w.ActivityAsync(Discipline.Crm, "Added while the API was away", new DateOnly(2027, 3, 1), new DateOnly(2027, 3, 9));
        Assert.True(await events.MoveNextAsync());

        Assert.Equal(StatusEventKind.CatchUp, events.Current.Kind);
        Assert.Contains((StatusChangeKind.ActivityAdded, $"activity {during.Id}"), events.Current.Changes.Select(c => (c.Kind, c.About)));
        Assert.True(outage.Refused > 1, $"refused {outage.Refused} connection attempts");
        Assert.True(outage.Cut >= 1, "the open stream was cut");
    }

    [Fact]
    public async Task not_modified_is_a_value_and_401_403_422_arrive_as_typed_problems_the_403_naming_who_may()
    {
        var organisation = await Api.NewOrganisationAsync();
        await using var conductor = Register(Api, await organisation.KeyAsync(Role.Conductor));
        await using var cmo = Register(Api, await organisation.KeyAsync(Role.Cmo));
        await using var stranger = Register(Api, "orch_not_a_real_key_at_all_1234567890");
        var outcomes = conductor.GetRequiredService<IOutcomesClient>();
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));

        var unchanged = await outcomes.GetOutcomeIfChangedAsync(outcome.Id, outcome.Version);
        var activated = await outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version);
        var changed = await outcomes.GetOutcomeIfChangedAsync(outcome.Id, outcome.Version);
        var forbidden = await Assert.ThrowsAsync<ForbiddenProblemException>(() => cmo.GetRequiredService<IOutcomesClient>().DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv())));
        var unauthorized = await Assert.ThrowsAsync<UnauthorizedProblemException>(() => stranger.GetRequiredService<IOutcomesClient>().ListOutcomesAsync());

        Assert.Equal((false, (OutcomeDetails?)null), (unchanged.Modified, unchanged.Value));
        Assert.True(changed.Modified);
        Assert.Equal(activated.Version, changed.Value!.Version);
        Assert.Equal(403, forbidden.StatusCode);
        Assert.Contains("Conductor or Admin", forbidden.Detail, StringComparison.Ordinal);
        Assert.Contains("Cmo", forbidden.Detail, StringComparison.Ordinal);
        Assert.Equal(401, unauthorized.StatusCode);
    }

    [Fact]
    public async Task an_enum_value_the_sdk_does_not_know_reads_as_unknown_instead_of_failing_the_call()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var activity = await w.ActivityAsync(Discipline.Crm, "Emails", new DateOnly(2027, 3, 1), new DateOnly(2027, 3, 9));
        var newer = new RewriteAnswers("\"status\":\"Planned\"", "\"status\":\"Paused\"");
        await using var provider = Register(Api, await w.World.Organisation.KeyAsync(Role.Cmo), network: newer);

        var read = await provider.GetRequiredService<IPlansClient>().GetActivityAsync(activity.PlanId, activity.Id);

        Assert.True(newer.Rewritten > 0);
        Assert.False(read.Status.IsKnown());
        Assert.Equal(EnumValues.Unknown<ActivityStatus>(), read.Status);
        Assert.True(ActivityStatus.Planned.IsKnown());
        Assert.Equal((activity.Id, "Emails"), (read.Id, read.Name));
    }

    [Fact]
    public async Task an_answer_tells_its_version_trace_id_and_the_requests_left_besides_its_body()
    {
        var organisation = await Api.NewOrganisationAsync();
        await using var provider = Register(Api, await organisation.KeyAsync(Role.Conductor));
        var outcomes = provider.GetRequiredService<IOutcomesClient>();

        using var answers = ApiAnswers.Capture();
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        var created = answers.Last!;
        var problem = await Assert.ThrowsAsync<NotFoundProblemException>(() => outcomes.GetOutcomeAsync(Guid.NewGuid()));
        var missing = answers.Last!;

        Assert.Equal((201, outcome.Version), (created.StatusCode, created.Version));
        Assert.False(string.IsNullOrEmpty(created.TraceId));
        Assert.NotNull(created.RateLimitRemaining);
        Assert.True(Guid.TryParse(created.IdempotencyKey, out _));
        Assert.NotEqual(created.TraceId, missing.TraceId);
        Assert.Equal(problem.TraceId, missing.TraceId);
    }

    [Fact]
    public async Task any_number_of_result_rows_are_recorded_in_batches_of_a_thousand_and_a_rerun_of_the_import_counts_none_twice()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var activity = await w.ActivityAsync(Discipline.Crm, "Emails", new DateOnly(2027, 3, 1), new DateOnly(2027, 3, 9));
        await using var provider = Register(Api, await w.World.Organisation.KeyAsync(Role.Orchestrator, Discipline.Crm));
        var results = provider.GetRequiredService<IResultsClient>();
        var rows = Enumerable.Range(0, 2_500).Select(i => new ResultRowRequest
        {
            ActivityId = activity.Id, From = new DateOnly(2027, 3, 1), To = new DateOnly(2027, 3, 1), Reached = 2, Impressions = 0, Responses = 1, Conversions = 0,
            Revenue = new Money { Amount = 0m, Currency = "EUR" }, Cost = new Money { Amount = 1m, Currency = "EUR" }, SourceRef = null,
        }).ToList();

        var first = await results.RecordAllResultsAsync(w.OutcomeId, rows, "crm-2027-03-01");
        var rerun = await results.RecordAllResultsAsync(w.OutcomeId, rows, "crm-2027-03-01");
        var measures = (await results.GetOutcomeMeasuresAsync(w.OutcomeId)).Outcome;

        Assert.Equal([1_000, 1_000, 500], first.Select(b => b.Recorded));
        Assert.Equal(first.Select(b => b.BatchId), rerun.Select(b => b.BatchId));
        Assert.Equal((2_500L, 5_000L), (measures.Rows, measures.Reached));
    }

    [Fact]
    public void the_sdk_assembly_is_built_deterministically_without_a_local_path_and_points_at_its_sources()
    {
        using var pe = new PEReader(File.OpenRead(typeof(OutcomesClient).Assembly.Location));
        var codeView = pe.ReadDebugDirectory().Single(d => d.Type == DebugDirectoryEntryType.CodeView);
        var pdb = pe.ReadCodeViewDebugDirectoryData(codeView).Path;

        Assert.StartsWith("/_/", pdb, StringComparison.Ordinal);
        Assert.Contains(pe.ReadDebugDirectory(), d => d.Type == DebugDirectoryEntryType.Reproducible);
    }

    /// <summary>The API away for a while, as during a restart: open streams are cut and new connections refused.</summary>
    private sealed class Outage : DelegatingHandler
    {
        private readonly List<CutStream> _streams = [];
        private DateTimeOffset _until = DateTimeOffset.MinValue;
        private int _refused;
        private int _cut;

        public int Refused => _refused;

        public int Cut => _cut;

        public void Refuse(TimeSpan period)
        {
            _until = DateTimeOffset.UtcNow + period;
            lock (_streams)
            {
                foreach (var stream in _streams)
                {
                    stream.Cut();
                    Interlocked.Increment(ref _cut);
                }

                _streams.Clear();
            }
        }

        public void Restore() => _until = DateTimeOffset.MinValue;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (DateTimeOffset.UtcNow < _until)
            {
                Interlocked.Increment(ref _refused);
                throw new HttpRequestException("Connection refused (the API is restarting).");
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                var stream = new CutStream(await response.Content.ReadAsStreamAsync(cancellationToken));
                lock (_streams)
                {
                    _streams.Add(stream);
                }

                var content = new StreamContent(stream);
                foreach (var header in response.Content.Headers)
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                response.Content = content;
            }

            return response;
        }
    }

    /// <summary>A stream that fails its next read once cut, as a connection reset does.</summary>
    private sealed class CutStream(Stream inner) : Stream
    {
        private readonly CancellationTokenSource _cut = new();

        public void Cut() => _cut.Cancel();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cut.Token);
            try
            {
                return await inner.ReadAsync(buffer, both.Token);
            }
            catch (OperationCanceledException) when (_cut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new IOException("The connection was reset.");
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                _cut.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Answers as a newer API would write them: one text replaced in every JSON body.</summary>
    private sealed class RewriteAnswers(string find, string replacement) : DelegatingHandler
    {
        private int _rewritten;

        public int Rewritten => _rewritten;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (text.Contains(find, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _rewritten);
                    response.Content = new StringContent(text.Replace(find, replacement, StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
                }
            }

            return response;
        }
    }
}
