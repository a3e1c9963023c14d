using System.Net;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Connections;

/// <summary>Connections through the SDK: each kind, the acknowledgement flow, cycles, conflicts, roles and tenancy.</summary>
public sealed class ConnectionTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = new(2027, 3, 1);

    private static readonly string[] CycleNames = ["D emails", "A teaser", "B press", "C search"];

    private static async Task<T> ProblemAsync<T>(int status, Func<Task> act)
        where T : ApiException
    {
        var e = await Assert.ThrowsAnyAsync<T>(act);
        Assert.Equal(status, e.StatusCode);
        return e;
    }

    private static async Task AssertRuleAsync(string rule, Func<Task> act)
    {
        var e = await ProblemAsync<ApiException<Problem>>(409, act);
        Assert.Equal(rule, e.Result.Rule);
    }

    [Fact]
    public async Task each_kind_is_defined_with_its_own_fields_and_refused_without_them()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var tv = await w.ActivityAsync(Discipline.Advertising, "TV burst", March1, March1.AddDays(13));
        var mail = await w.ActivityAsync(Discipline.Crm, "Win-back emails", March1.AddDays(20), March1.AddDays(40));
        var pr = w.Sides[Discipline.PublicRelations].Plan;

        var dependency = await w.DependencyAsync(tv, mail, lag: 3);
        var handoff = await w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Handoff, Title = "Creative to CRM", From = ConnectionWorld.Side(tv), To = ConnectionWorld.Side(mail), Artefact = "Key visuals", DueOn = March1.AddDays(15),
        });
        var message = await w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.SharedMessage, Title = "One promise", From = new ConnectionSide { PlanId = pr.Id }, To = ConnectionWorld.Side(mail), Message = "Members come first.",
        });
        var audience = await w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.SharedAudience, Title = "Lapsed members", From = new ConnectionSide { PlanId = pr.Id }, To = new ConnectionSide { PlanId = w.Sides[Discipline.Digital].Plan.Id }, Audience = "lapsed loyalty members",
        });
        var missing = await ProblemAsync<ApiException<Problem>>(400, () => w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Handoff, Title = "No artefact", From = ConnectionWorld.Side(tv), To = ConnectionWorld.Side(mail), Message = "stray",
        }));
        var sameDiscipline = await ProblemAsync<ApiException<Problem>>(400, () => w.DependencyAsync(tv, tv));

        Assert.Equal((ConnectionKind.Dependency, 3, ConnectionState.Proposed, 1L), (dependency.Kind, dependency.LagDays, dependency.State, dependency.Version));
        Assert.Equal([Discipline.Advertising, Discipline.Crm], dependency.AwaitingAcknowledgementFrom);
        Assert.Equal(("Key visuals", March1.AddDays(15)), (handoff.Artefact, handoff.DueOn));
        Assert.Equal(("Members come first.", (Guid?)null), (message.Message, message.From.ActivityId));
        Assert.Equal("lapsed loyalty members", audience.Audience);
        Assert.Equal(["artefact", "dueOn", "message"], missing.Result.Errors!.Keys.Order());
        Assert.Equal(["to.planId"], sameDiscipline.Result.Errors!.Keys);
        Assert.Equal(4, (await w.Conductor.ListConnectionsAsync(w.OutcomeId)).Items.Count);
        Assert.Equal([handoff.Id], (await w.Conductor.ListConnectionsAsync(w.OutcomeId, kind: ConnectionKind.Handoff)).Items.Select(c => c.Id));
        Assert.Equal([dependency.Id, handoff.Id, message.Id], (await w.Conductor.ListConnectionsAsync(w.OutcomeId, activityId: mail.Id)).Items.Select(c => c.Id));
    }

    [Fact]
    public async Task both_sides_acknowledge_to_agree_a_side_contests_the_conductor_revises_and_it_is_met_or_broken_once()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var tv = await w.ActivityAsync(Discipline.Advertising, "TV burst", March1, March1.AddDays(13));
        var mail = await w.ActivityAsync(Discipline.Crm, "Win-back emails", March1.AddDays(20), March1.AddDays(40));
        var advertising = w.Sides[Discipline.Advertising].Connections;
        var crm = w.Sides[Discipline.Crm].Connections;
        var c = await w.DependencyAsync(tv, mail);

        var half = await crm.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, c.Version, new AcknowledgeConnectionRequest());
        await AssertRuleAsync("acknowledged-once", () => crm.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, half.Version, new AcknowledgeConnectionRequest()));
        var contested = await advertising.ContestConnectionAsync(w.OutcomeId, c.Id, half.Version, new ContestConnectionRequest { Reason = "Two weeks too early." });
        await AssertRuleAsync("contested-connection-needs-revision", () => crm.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, contested.Version, new AcknowledgeConnectionRequest()));
        var revised = await w.Conductor.ReviseConnectionAsync(w.OutcomeId, c.Id, contested.Version, new ReviseConnectionRequest { LagDays = 5 });
        var one = await advertising.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, revised.Version, new AcknowledgeConnectionRequest());
        var agreed = await crm.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, one.Version, new AcknowledgeConnectionRequest());
        await ProblemAsync<ApiException<Problem>>(403, () => crm.MarkConnectionMetAsync(w.OutcomeId, c.Id, agreed.Version));
        var met = await advertising.MarkConnectionMetAsync(w.OutcomeId, c.Id, agreed.Version);
        await AssertRuleAsync("final-connection-is-final", () => w.Conductor.WithdrawConnectionAsync(w.OutcomeId, c.Id, met.Version, new CancelRequest { Reason = "x" }));

        var other = await w.DependencyAsync(tv, mail, title: "Another");
        await AssertRuleAsync("only-agreed-connections-are-met", () => w.Conductor.MarkConnectionMetAsync(w.OutcomeId, other.Id, other.Version));
        var broken = await w.Conductor.MarkConnectionBrokenAsync(w.OutcomeId, other.Id, other.Version, new CancelRequest { Reason = "TV slot lost." });
        var third = await w.DependencyAsync(tv, mail, title: "Third");
        var withdrawn = await w.Conductor.WithdrawConnectionAsync(w.OutcomeId, third.Id, third.Version, new CancelRequest { Reason = "Not needed." });
        var history = await w.Conductor.GetConnectionHistoryAsync(w.OutcomeId, c.Id);

        Assert.Equal(ConnectionState.Proposed, half.State);
        Assert.Equal([Discipline.Advertising], half.AwaitingAcknowledgementFrom);
        Assert.Equal((ConnectionState.Contested, "Two weeks too early."), (contested.State, contested.StateReason));
        Assert.Equal((ConnectionState.Proposed, 5, 0), (revised.State, revised.LagDays, revised.AcknowledgedBy.Count));
        Assert.Equal(ConnectionState.Agreed, agreed.State);
        Assert.Equal(ConnectionState.Met, met.State);
        Assert.Equal((ConnectionState.Broken, "TV slot lost."), (broken.State, broken.StateReason));
        Assert.Equal(ConnectionState.Withdrawn, withdrawn.State);
        Assert.Equal(["Defined", "Acknowledged", "Contested", "Revised", "Acknowledged", "Acknowledged", "Met"], history.Items.Select(h => h.Change));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], history.Items.Select(h => h.Version));
    }

    [Fact]
    public async Task only_the_conductor_defines_only_the_two_sides_acknowledge_a_cmo_reads_and_other_organisations_see_nothing()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var tv = await w.ActivityAsync(Discipline.Advertising, "TV burst", March1, March1.AddDays(13));
        var mail = await w.ActivityAsync(Discipline.Crm, "Win-back emails", March1.AddDays(20), March1.AddDays(40));
        var c = await w.DependencyAsync(tv, mail);
        var cmo = Api.Connections(await w.World.Organisation.KeyAsync(Role.Cmo));
        var agencyOfBoth = Api.Connections(await w.World.Organisation.KeyAsync(Role.Agency, Discipline.Advertising, Discipline.Crm));
        var digital = w.Sides[Discipline.Digital].Connections;
        var define = new DefineConnectionRequest { Kind = ConnectionKind.Dependency, Title = "x", From = ConnectionWorld.Side(tv), To = ConnectionWorld.Side(mail) };
        var foreign = Api.Connections(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Admin));
        Func<ConnectionsClient, Task>[] everyRoute =
        [
            x => x.DefineConnectionAsync(w.OutcomeId, define),
            x => x.ListConnectionsAsync(w.OutcomeId),
            x => x.GetConnectionAsync(w.OutcomeId, c.Id),
            x => x.GetConnectionHistoryAsync(w.OutcomeId, c.Id),
            x => x.ReviseConnectionAsync(w.OutcomeId, c.Id, c.Version, new ReviseConnectionRequest { Title = "x" }),
            x => x.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, c.Version, new AcknowledgeConnectionRequest { Discipline = Discipline.Crm }),
            x => x.ContestConnectionAsync(w.OutcomeId, c.Id, c.Version, new ContestConnectionRequest { Reason = "x", Discipline = Discipline.Crm }),
            x => x.WithdrawConnectionAsync(w.OutcomeId, c.Id, c.Version, new CancelRequest { Reason = "x" }),
            x => x.MarkConnectionMetAsync(w.OutcomeId, c.Id, c.Version),
            x => x.MarkConnectionBrokenAsync(w.OutcomeId, c.Id, c.Version, new CancelRequest { Reason = "x" }),
            x => x.AnalyseImpactAsync(w.OutcomeId, tv.Id, 3),
            x => x.GetCriticalPathAsync(w.OutcomeId),
        ];

        foreach (var route in everyRoute)
        {
            Assert.Equal(404, await ApiCalls.StatusOf(() => route(foreign)));
        }

        int[] readOnly = [403, 200, 200, 200, 403, 403, 403, 403, 403, 403, 200, 200];
        var asCmo = await StatusesAsync(everyRoute, cmo);
        var asDigital = await StatusesAsync(everyRoute, digital);
        Assert.Equal(readOnly, asCmo);
        Assert.Equal(readOnly, asDigital);
        Assert.Equal(403, await ApiCalls.StatusOf(() => w.Conductor.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, c.Version, new AcknowledgeConnectionRequest())));
        Assert.Equal(400, await ApiCalls.StatusOf(() => agencyOfBoth.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, c.Version, new AcknowledgeConnectionRequest())));
        var unchanged = await cmo.GetConnectionAsync(w.OutcomeId, c.Id);
        Assert.Equal((c.Version, ConnectionState.Proposed), (unchanged.Version, unchanged.State));
        Assert.Single((await cmo.ListConnectionsAsync(w.OutcomeId)).Items);
        var acknowledged = await agencyOfBoth.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, c.Version, new AcknowledgeConnectionRequest { Discipline = Discipline.Crm });
        Assert.Equal([Discipline.Crm], acknowledged.AcknowledgedBy);
        Assert.Equal(412, await ApiCalls.StatusOf(() => w.Conductor.WithdrawConnectionAsync(w.OutcomeId, c.Id, c.Version, new CancelRequest { Reason = "stale" })));
        using var http = Api.Http(await w.World.Organisation.KeyAsync(Role.Conductor));
        using var noIfMatch = await http.PostAsync(new Uri($"/outcomes/{w.OutcomeId}/connections/{c.Id}/withdraw", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(new { reason = "x" }));
        Assert.Equal((HttpStatusCode)428, noIfMatch.StatusCode);
    }

    private static async Task<int[]> StatusesAsync(Func<ConnectionsClient, Task>[] routes, ConnectionsClient client)
    {
        var statuses = new List<int>();
        foreach (var route in routes)
        {
            statuses.Add(await ApiCalls.StatusOf(() => route(client)));
        }

        return [.. statuses];
    }

    [Fact]
    public async Task a_dependency_that_would_close_a_cycle_through_all_four_disciplines_is_refused_naming_it()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var a = await w.ActivityAsync(Discipline.Advertising, "A teaser", March1, March1.AddDays(5));
        var b = await w.ActivityAsync(Discipline.PublicRelations, "B press", March1.AddDays(10), March1.AddDays(15));
        var c = await w.ActivityAsync(Discipline.Digital, "C search", March1.AddDays(20), March1.AddDays(25));
        var d = await w.ActivityAsync(Discipline.Crm, "D emails", March1.AddDays(30), March1.AddDays(35));
        await w.DependencyAsync(a, b);
        await w.DependencyAsync(b, c);
        await w.DependencyAsync(c, d);

        var e = await ProblemAsync<ApiException<Problem>>(409, () => w.DependencyAsync(d, a));
        var wholePlan = await ProblemAsync<ApiException<Problem>>(409, () => w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Dependency, Title = "Plan-level", From = new ConnectionSide { PlanId = d.PlanId }, To = new ConnectionSide { PlanId = a.PlanId },
        }));
        var handoffBack = await w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Handoff, Title = "Insights back", From = ConnectionWorld.Side(d), To = ConnectionWorld.Side(a), Artefact = "Response data", DueOn = March1,
        });

        Assert.Equal("dependencies-without-cycles", e.Result.Rule);
        var named = CycleNames.Select(n => e.Result.Detail!.IndexOf($"'{n}'", StringComparison.Ordinal)).ToList();
        Assert.True(named.All(i => i >= 0) && named.SequenceEqual(named.Order()), e.Result.Detail);
        Assert.Equal("dependencies-without-cycles", wholePlan.Result.Rule);
        Assert.Equal(ConnectionKind.Handoff, handoffBack.Kind);
        Assert.Equal(4, (await w.Conductor.ListConnectionsAsync(w.OutcomeId)).Items.Count);
    }

    [Fact]
    public async Task of_two_concurrent_definitions_that_together_close_a_cycle_exactly_one_succeeds()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var pairs = new List<(ActivityDetails, ActivityDetails)>();
        for (var i = 0; i < 6; i++)
        {
            pairs.Add((await w.ActivityAsync(Discipline.Advertising, $"Ad {i}", March1, March1.AddDays(3)), await w.ActivityAsync(Discipline.Digital, $"Web {i}", March1.AddDays(10), March1.AddDays(12))));
        }

        var attempts = pairs.SelectMany(p => new[] { ApiCalls.StatusOf(() => w.DependencyAsync(p.Item1, p.Item2)), ApiCalls.StatusOf(() => w.DependencyAsync(p.Item2, p.Item1)) }).ToList();
        var statuses = await Task.WhenAll(attempts);

        Assert.All(statuses.Chunk(2), pair => Assert.Equal([200, 409], pair.Order()));
        Assert.Equal(6, (await w.Conductor.ListConnectionsAsync(w.OutcomeId)).Items.Count);
    }

    [Fact]
    public async Task conflicts_appear_and_clear_as_activities_are_rescheduled_and_cancelling_one_breaks_its_connections()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var crmPlans = w.Sides[Discipline.Crm].Plans;
        var adPlans = w.Sides[Discipline.Advertising].Plans;
        var tv = await w.ActivityAsync(Discipline.Advertising, "TV burst", March1, March1.AddDays(13));
        var mail = await w.ActivityAsync(Discipline.Crm, "Win-back emails", March1.AddDays(10), March1.AddDays(30));
        var c = await w.DependencyAsync(tv, mail, lag: 2);
        var h = await w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Handoff, Title = "Visuals", From = ConnectionWorld.Side(tv), To = ConnectionWorld.Side(mail), Artefact = "Key visuals", DueOn = March1.AddDays(14),
        });

        var conflicting = await w.Conductor.GetConnectionAsync(w.OutcomeId, c.Id);
        var handoffLate = await w.Conductor.GetConnectionAsync(w.OutcomeId, h.Id);
        mail = await crmPlans.RescheduleActivityAsync(mail.PlanId, mail.Id, mail.Version, new RescheduleActivityRequest { StartsOn = March1.AddDays(16), EndsOn = March1.AddDays(36) });
        var cleared = await w.Conductor.GetConnectionAsync(w.OutcomeId, c.Id);
        var handoffInTime = await w.Conductor.GetConnectionAsync(w.OutcomeId, h.Id);
        tv = await adPlans.RescheduleActivityAsync(tv.PlanId, tv.Id, tv.Version, new RescheduleActivityRequest { StartsOn = March1.AddDays(1), EndsOn = March1.AddDays(14) });
        var again = await w.Conductor.GetConnectionAsync(w.OutcomeId, c.Id);
        var inConflict = await w.Conductor.ListConnectionsAsync(w.OutcomeId, inConflict: true);
        await adPlans.CancelActivityAsync(tv.PlanId, tv.Id, tv.Version, new CancelRequest { Reason = "TV slot lost." });
        var broken = await w.Conductor.GetConnectionAsync(w.OutcomeId, c.Id);

        Assert.True(conflicting.InConflict, "upstream ends on the 14th, downstream starts on the 11th");
        Assert.Contains("2027-03-17", conflicting.Conflict, StringComparison.Ordinal);
        Assert.True(handoffLate.InConflict, "due on the 15th, after the emails start on the 11th");
        Assert.False(handoffInTime.InConflict, handoffInTime.Conflict);
        Assert.False(cleared.InConflict, cleared.Conflict);
        Assert.True(again.InConflict);
        Assert.Equal([c.Id], inConflict.Items.Select(x => x.Id));
        Assert.Equal((ConnectionState.Broken, false), (broken.State, broken.InConflict));
        Assert.Contains("TV slot lost.", broken.StateReason, StringComparison.Ordinal);
        await AssertRuleAsync("connection-to-cancelled-work", () => w.Sides[Discipline.Crm].Connections.AcknowledgeConnectionAsync(w.OutcomeId, c.Id, c.Version, new AcknowledgeConnectionRequest()));
        await AssertRuleAsync("connection-to-cancelled-work", () => w.DependencyAsync(tv, mail));
    }

    [Fact]
    public async Task concurrent_writers_on_one_connection_version_leave_one_winner_and_retries_of_one_idempotency_key_define_one_connection()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var tv = await w.ActivityAsync(Discipline.Advertising, "TV burst", March1, March1.AddDays(13));
        var mail = await w.ActivityAsync(Discipline.Crm, "Win-back emails", March1.AddDays(20), March1.AddDays(40));
        var request = new DefineConnectionRequest { Kind = ConnectionKind.Dependency, Title = "Follows", From = ConnectionWorld.Side(tv), To = ConnectionWorld.Side(mail) };

        var retries = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => w.Conductor.DefineConnectionAsync(w.OutcomeId, request, "define-follows-1")));
        var c = retries[0];
        var writers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => ApiCalls.StatusOf(() => i % 2 == 0
            ? w.Conductor.ReviseConnectionAsync(w.OutcomeId, c.Id, c.Version, new ReviseConnectionRequest { LagDays = i })
            : w.Conductor.WithdrawConnectionAsync(w.OutcomeId, c.Id, c.Version, new CancelRequest { Reason = $"Writer {i}" }))));
        var after = await w.Conductor.GetConnectionAsync(w.OutcomeId, c.Id);

        Assert.Single(retries.Select(r => r.Id).Distinct());
        Assert.Single((await w.Conductor.ListConnectionsAsync(w.OutcomeId)).Items);
        Assert.Equal(1, writers.Count(s => s == 200));
        Assert.All(writers.Where(s => s != 200), s => Assert.Equal(412, s));
        Assert.Equal(2, after.Version);
    }

    [Fact]
    public async Task a_hand_off_whose_delivering_side_ends_after_the_due_date_is_in_conflict_in_every_read()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var tv = await w.ActivityAsync(Discipline.Advertising, "TV burst", March1, March1.AddDays(13));
        var mail = await w.ActivityAsync(Discipline.Crm, "Win-back emails", March1.AddDays(30), March1.AddDays(40));
        var h = await w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Handoff, Title = "Visuals", From = ConnectionWorld.Side(tv), To = ConnectionWorld.Side(mail), Artefact = "Key visuals", DueOn = March1.AddDays(20),
        });

        var inTime = await w.Conductor.GetConnectionAsync(w.OutcomeId, h.Id);
        var impact = await w.Conductor.AnalyseImpactAsync(w.OutcomeId, tv.Id, slipDays: 10);
        var smallSlip = await w.Conductor.AnalyseImpactAsync(w.OutcomeId, tv.Id, slipDays: 5);
        await w.Sides[Discipline.Advertising].Plans.RescheduleActivityAsync(tv.PlanId, tv.Id, tv.Version, new RescheduleActivityRequest { StartsOn = March1.AddDays(10), EndsOn = March1.AddDays(23) });
        var late = await w.Conductor.GetConnectionAsync(w.OutcomeId, h.Id);
        var listed = await w.Conductor.ListConnectionsAsync(w.OutcomeId, inConflict: true);
        var status = await Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo)).GetOutcomeStatusAsync(w.OutcomeId);

        Assert.False(inTime.InConflict, inTime.Conflict);
        Assert.Equal([h.Id], impact.Conflicts);
        Assert.Empty(smallSlip.Conflicts);
        Assert.True(late.InConflict, "the TV burst now ends on the 24th, after the visuals are due on the 21st");
        Assert.Equal("'TV burst' ends on 2027-03-24, after 'Key visuals' is due on 2027-03-21.", late.Conflict);
        Assert.Equal([h.Id], listed.Items.Select(c => c.Id));
        Assert.Equal(1, status.Disciplines.Single(d => d.Discipline == Discipline.Crm).Connections.InConflict);
    }
}
