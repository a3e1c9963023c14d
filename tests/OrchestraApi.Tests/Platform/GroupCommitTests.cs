using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Sdk;
using OrchestraApi.Status;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;
using static OrchestraApi.Tests.ApiCalls;

namespace OrchestraApi.Tests.Platform;

/// <summary>
/// Concurrent commands of one organisation commit together (issue 23, decision 31) and each keeps what it has alone:
/// its rules, its If-Match, its Idempotency-Key, its change signal and its own answer. Each test runs a host of its own
/// whose batches wait 50 ms for more commands, so the commands it sends together meet in one batch in the order sent;
/// it checks that the host reported what the test is about (a batch, a command held back), every answer, and the store.
/// </summary>
public sealed class GroupCommitTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_failing_command_among_succeeding_ones_fails_alone_and_the_others_commit()
    {
        await using var host = await GatheringHostAsync();
        var organisation = await host.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var draft = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("Active", kpis: OutcomeSamples.Clv()));
        var active = await outcomes.ActivateOutcomeAsync(draft.Id, draft.Version());
        var revised = await outcomes.ReviseOutcomeAsync(active.Id, active.Version(), new ReviseOutcomeRequest { Title = "Active, revised" });
        var defined = 0;

        await UntilBatchedAsync(host, async () =>
        {
            var round = Enumerable.Range(0, 16).Select(i => StatusOf(() => outcomes.DefineOutcomeAsync(OutcomeSamples.Define($"Outcome {defined + i}")))).ToList();
            var unknown = StatusOf(() => outcomes.ActivateOutcomeAsync(Guid.NewGuid(), 1));
            var stale = StatusOf(() => outcomes.ReviseOutcomeAsync(active.Id, active.Version(), new ReviseOutcomeRequest { Title = "Stale" }));
            var broken = StatusOf(() => outcomes.ActivateOutcomeAsync(revised.Id, revised.Version()));
            round.InsertRange(7, [unknown, stale, broken]);
            var statuses = await Task.WhenAll(round);

            Assert.Equal(404, await unknown);
            Assert.Equal(412, await stale);
            Assert.Equal(409, await broken);
            Assert.Equal(16, statuses.Count(s => s == 200));
            defined += 16;
        });

        var all = await outcomes.ListOutcomesAsync(limit: 100);
        Assert.Equal(defined + 1, all.Items.Count);
        Assert.Equal(defined, all.Items.Count(o => o.Title.StartsWith("Outcome ", StringComparison.Ordinal)));
        Assert.Equal(defined, all.Items.Select(o => o.Title).Distinct().Count() - 1);
        var after = await outcomes.GetOutcomeAsync(active.Id);
        Assert.Equal("Active, revised", after.Title);
        Assert.Equal(revised.Version(), after.Version());
    }

    [Fact]
    public async Task sixteen_concurrent_retries_of_one_idempotency_key_have_one_effect()
    {
        await using var host = await GatheringHostAsync();
        var organisation = await host.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var rounds = 0;

        // The retries arrive among other commands (each with a key of its own), so they meet them in batches.
        await UntilSeenAsync(host, async () =>
        {
            var key = $"define-once-{++rounds}";
            var retries = Enumerable.Range(0, 16).Select(_ => outcomes.DefineOutcomeAsync(OutcomeSamples.Define($"Once {rounds}"), key)).ToList();
            var others = Enumerable.Range(0, 6).Select(i => outcomes.DefineOutcomeAsync(OutcomeSamples.Define($"Other {rounds}.{i}"), $"other-{rounds}-{i}")).ToList();
            var answers = await Task.WhenAll(retries.Concat(others));
            Assert.Single(answers.Take(16).Select(a => a.Id).Distinct());
            Assert.All(answers, a => Assert.Equal(1, a.Version()));
            Assert.Equal(7, answers.Select(a => a.Id).Distinct().Count());
        }, m => m.LargestBatch >= 2 && m.RanAlone("key") >= 1, "retries of a key in a batch that commits others");

        var all = await outcomes.ListOutcomesAsync(limit: 100);
        Assert.Equal(rounds * 7, all.Items.Count);
        Assert.Equal(rounds, all.Items.Count(o => o.Title.StartsWith("Once ", StringComparison.Ordinal)));
        Assert.Equal(rounds * 7, all.Items.Select(o => o.Title).Distinct().Count());
    }

    [Fact]
    public async Task a_stale_if_match_among_fresh_ones_is_the_one_412_and_two_writers_of_one_version_make_one_win()
    {
        await using var host = await GatheringHostAsync();
        var organisation = await host.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var targets = new List<OutcomeDetails>();
        for (var i = 0; i < 12; i++)
        {
            targets.Add(await outcomes.DefineOutcomeAsync(OutcomeSamples.Define($"Target {i}")));
        }

        // A version that was once current and is stale now.
        targets[3] = await outcomes.ReviseOutcomeAsync(targets[3].Id, 1, new ReviseOutcomeRequest { Description = "Before" });

        await UntilBatchedAsync(host, async () =>
        {
            var fresh = targets.Select((t, i) => StatusOf(() => outcomes.ReviseOutcomeAsync(t.Id, t.Version(), new ReviseOutcomeRequest { Description = $"Fresh {i}" }))).ToList();
            var stale = StatusOf(() => outcomes.ReviseOutcomeAsync(targets[3].Id, targets[3].Version() - 1, new ReviseOutcomeRequest { Description = "Stale" }));
            var rival = StatusOf(() => outcomes.ReviseOutcomeAsync(targets[5].Id, targets[5].Version(), new ReviseOutcomeRequest { Description = "Rival" }));
            fresh.InsertRange(4, [stale, rival]);
            var statuses = await Task.WhenAll(fresh);

            Assert.Equal(412, await stale);
            Assert.Equal(12, statuses.Count(s => s == 200));
            Assert.Equal(2, statuses.Count(s => s == 412));
            for (var i = 0; i < targets.Count; i++)
            {
                var now = await outcomes.GetOutcomeAsync(targets[i].Id);
                Assert.Equal(targets[i].Version() + 1, now.Version());
                Assert.Equal(i == 5 && await rival == 200 ? "Rival" : $"Fresh {i}", now.Description);
                targets[i] = now;
            }
        });
    }

    [Fact]
    public async Task a_change_that_reads_a_stream_an_earlier_command_of_its_batch_changed_decides_on_that_change()
    {
        // A reschedule share-locks its plan and changes only its activity; a submission changes only the plan. Sent
        // together, no reschedule may land after the submission (a submitted plan is locked): each either committed
        // before it or was refused.
        await using var host = await GatheringHostAsync();
        var world = await PlanWorld.CreateAsync(host);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var feed = host.Events(await world.Organisation.KeyAsync(Role.Admin));
        var round = 0;

        await UntilSeenAsync(host, async () =>
        {
            var plan = await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 50_000m, pilotScope: $"Pilot {++round}"));
            var activities = new List<ActivityDetails>();
            for (var i = 0; i < 10; i++)
            {
                activities.Add(await crm.ScheduleActivityAsync(plan.Id, PlanWorld.Activity($"Activity {i}", 1_000m)));
            }

            // Some reschedules, then the submission, then the rest: one batch, in that order.
            var version = await crm.VersionOfAsync(plan.Id);
            Task<int> Reschedule(ActivityDetails a) => StatusOf(() => crm.RescheduleActivityAsync(plan.Id, a.Id, a.V(), new RescheduleActivityRequest { StartsOn = new DateOnly(2027, 5, 1), EndsOn = new DateOnly(2027, 5, 20) }));
            var changes = activities.Take(5).Select(Reschedule).ToList();
            await Task.Delay(10);
            var submit = StatusOf(() => crm.SubmitPlanAsync(plan.Id, version));
            await Task.Delay(10);
            changes.AddRange(activities.Skip(5).Select(Reschedule));
            var statuses = await Task.WhenAll(changes);
            Assert.Equal(200, await submit);
            Assert.All(statuses, s => Assert.True(s is 200 or 409, $"{s}"));
            var committed = statuses.Count(s => s == 200);

            var events = await UntilAsync(async () =>
            {
                var page = await feed.ListEventsAsync(limit: 100, types: "orchestra.plan.submitted.v1,orchestra.activity.rescheduled.v1", outcomeId: world.Outcome.Id);
                var ofPlan = page.Items.Where(e => e.Subject.Contains(plan.Id.ToString(), StringComparison.Ordinal)).ToList();
                return ofPlan.Count == committed + 1 ? ofPlan : null;
            });
            var submittedAt = events.FindIndex(e => e.Type == "orchestra.plan.submitted.v1");
            Assert.Equal(committed, submittedAt);
            Assert.All(events.Skip(submittedAt + 1), e => Assert.Fail($"{e.Type} {e.Subject} landed after the submission"));
        }, m => m.RanAlone("held") >= 1, "a reschedule held back by the submission in its batch");
    }

    [Fact]
    public async Task every_command_of_a_batch_reaches_those_who_follow_its_outcome()
    {
        await using var host = await GatheringHostAsync();
        var heard = new ConcurrentQueue<(string? Tenant, Guid? Outcome)>();
        host.Factory.Services.GetRequiredService<OutcomeChanges>().Listen((tenant, outcome) => heard.Enqueue((tenant, outcome)));
        var organisation = await host.NewOrganisationAsync();
        var tenant = organisation.Id.ToString();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var targets = new List<OutcomeDetails>();
        for (var i = 0; i < 16; i++)
        {
            targets.Add(await outcomes.DefineOutcomeAsync(OutcomeSamples.Define($"Followed {i}")));
        }

        await UntilBatchedAsync(host, async () =>
        {
            heard.Clear();
            var revised = await Task.WhenAll(targets.Select(t => outcomes.ReviseOutcomeAsync(t.Id, t.Version(), new ReviseOutcomeRequest { Description = $"Revised at {t.Version()}" })));

            // Told before each answer left: nothing to wait for.
            Assert.All(targets, t => Assert.Contains((tenant, (Guid?)t.Id), heard));
            targets = [.. revised];
        });
    }

    /// <summary>A host of this test's own whose batches wait 50 ms for more commands.</summary>
    private Task<ApiFixture> GatheringHostAsync() =>
        Api.StartFreshApiAsync(settings: new Dictionary<string, string> { ["Orchestra__GroupCommit__GatherMilliseconds"] = "50" });

    /// <summary>Runs a round of concurrent commands (each round checks its own answers) until one of them committed in a batch of two or more.</summary>
    private static Task UntilBatchedAsync(ApiFixture host, Func<Task> round) => UntilSeenAsync(host, round, m => m.LargestBatch >= 2, "two commands committed together");

    /// <summary>Runs a round until the host reports what the test is about, so that path is the one judged (at most <paramref name="rounds"/>).</summary>
    private static async Task UntilSeenAsync(ApiFixture host, Func<Task> round, Func<BatchMeasurements, bool> seen, string what, int rounds = 3)
    {
        using var measurements = new BatchMeasurements(host);
        for (var attempt = 1; attempt <= rounds && !seen(measurements); attempt++)
        {
            await round();
        }

        Assert.True(seen(measurements), $"Not seen in {rounds} rounds: {what} (largest batch {measurements.LargestBatch}; ran alone: held {measurements.RanAlone("held")}, key {measurements.RanAlone("key")}, discarded {measurements.RanAlone("discarded")}, save {measurements.RanAlone("save")}).");
    }

    /// <summary>What the shared host reports of its batches: <c>orchestra.commit.batch_size</c> and <c>orchestra.commit.run_alone</c>.</summary>
    private sealed class BatchMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentBag<int> _sizes = [];
        private readonly ConcurrentBag<string> _alone = [];

        public BatchMeasurements(ApiFixture host)
        {
            var factory = host.Factory.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "OrchestraApi" && ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name.StartsWith("orchestra.commit.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) => _sizes.Add(value));
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason")
                    {
                        for (var i = 0; i < value; i++)
                        {
                            _alone.Add((string)tag.Value!);
                        }
                    }
                }
            });
            _listener.Start();
        }

        public int LargestBatch => _sizes.IsEmpty ? 0 : _sizes.Max();

        public int RanAlone(string reason) => _alone.Count(r => r == reason);

        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>When a batch's save fails, whether its commands may run again alone (nothing committed) or must fail (the commit's answer may be lost).</summary>
public sealed class GroupCommitSaveFailureTests
{
    [Fact]
    public void an_error_the_database_answered_means_nothing_committed_and_a_lost_connection_means_nobody_knows()
    {
        var duplicateKey = new Npgsql.PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", "23505");
        Assert.False(OrchestraApi.Platform.CommitGroups.AnswerLost(duplicateKey));
        Assert.False(OrchestraApi.Platform.CommitGroups.AnswerLost(new InvalidOperationException("wrapped", new Npgsql.NpgsqlException("batch failed", duplicateKey))));
        Assert.False(OrchestraApi.Platform.CommitGroups.AnswerLost(new InvalidOperationException("a rule checked before the database was asked")));

        Assert.True(OrchestraApi.Platform.CommitGroups.AnswerLost(new Npgsql.NpgsqlException("Exception while reading from stream", new IOException("connection reset"))));
        Assert.True(OrchestraApi.Platform.CommitGroups.AnswerLost(new TimeoutException("the commit did not answer in time")));
    }
}
