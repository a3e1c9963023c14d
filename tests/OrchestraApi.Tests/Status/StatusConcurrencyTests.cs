using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;

namespace OrchestraApi.Tests.Status;

/// <summary>Status never loses an update, and rules that move with time alone (a clock the test moves).</summary>
public sealed class StatusConcurrencyTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = new(2027, 3, 1);

    private static Money Eur(decimal amount) => new() { Amount = amount, Currency = "EUR" };

    [Fact]
    public async Task concurrent_writers_to_plans_activities_connections_and_results_of_one_outcome_all_show_in_status_portfolio_and_stream()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var cmoKey = await w.World.Organisation.KeyAsync(Role.Cmo);
        var status = Api.Status(cmoKey);
        var first = new Dictionary<Discipline, ActivityDetails>();
        foreach (var discipline in Enum.GetValues<Discipline>())
        {
            first[discipline] = await w.ActivityAsync(discipline, $"{discipline} opener", March1.AddDays(first.Count * 10), March1.AddDays((first.Count * 10) + 5));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var stream = status.WatchOutcomeStatusAsync(w.OutcomeId, cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await stream.MoveNextAsync());

        // 24 activities, 3 dependencies, 12 result batches and 4 plan revisions at once, from 43 clients.
        var disciplines = Enum.GetValues<Discipline>();
        var scheduling = disciplines.SelectMany(d => Enumerable.Range(1, 6).Select(i => w.ActivityAsync(d, $"{d} #{i}", March1.AddDays(60 + i), March1.AddDays(62 + i)))).ToList();
        var linking = new[] { (Discipline.Advertising, Discipline.PublicRelations), (Discipline.PublicRelations, Discipline.Digital), (Discipline.Digital, Discipline.Crm) }
            .Select(p => w.DependencyAsync(first[p.Item1], first[p.Item2], title: $"{p.Item1} then {p.Item2}")).ToList();
        var recording = disciplines.SelectMany(d => Enumerable.Range(1, 3).Select(async i =>
        {
            var results = Api.Results(await w.World.Organisation.KeyAsync(Role.Orchestrator, d));
            return (Discipline: d, Batch: await results.RecordResultsAsync(w.OutcomeId, new RecordResultsRequest
            {
                Rows = [new ResultRowRequest { ActivityId = first[d].Id, From = March1, To = March1, Reached = 100, Impressions = 100, Responses = 10, Conversions = i, Revenue = Eur(100m * i), Cost = Eur(1_000m * i), SourceRef = $"{d}-{i}" }],
            }));
        })).ToList();
        var revising = disciplines.Select(async d =>
        {
            // A plan's version moves with every activity scheduled into it: read again and retry on 412, as clients do.
            var side = w.Sides[d];
            while (true)
            {
                var plan = await side.Plans.GetPlanAsync(side.Plan.Id);
                try
                {
                    return await side.Plans.RevisePlanAsync(plan.Id, plan.Version, new RevisePlanRequest { Title = $"{d} plan, revised" });
                }
                catch (ApiException<Problem> e) when (e.StatusCode == 412)
                {
                }
            }
        }).ToList();
        await Task.WhenAll(scheduling.Cast<Task>().Concat(linking).Concat(recording).Concat(revising));

        var live = await status.GetOutcomeStatusAsync(w.OutcomeId);
        var folded = await status.GetOutcomeStatusAsync(w.OutcomeId, DateTimeOffset.UtcNow);
        var item = (await status.GetPortfolioAsync()).Items.Single();
        // The stream sends the difference between consecutive statuses: every addition shows exactly once.
        var streamed = new List<StatusChange>();
        StatusEvent latest;
        do
        {
            latest = await StatusStreams.NextAsync(stream);
            streamed.AddRange(latest.Changes);
        }
        while (streamed.Count(c => c.Kind == StatusChangeKind.ActivityAdded) < 24 || streamed.Count(c => c.Kind == StatusChangeKind.ConnectionAdded) < 3);

        // Each discipline: its opener and six more; 1+2+3 thousand spent; its connections; its plan revised.
        Assert.All(live.Disciplines, d => Assert.Equal((7, 6_000m, 6L), (d.Activities.Planned, d.Spent.Amount, d.Conversions)));
        Assert.Equal(24_000m, live.Spent.Amount);
        Assert.Equal([1, 2, 2, 1], live.Disciplines.Select(d => d.Connections.AwaitingAcknowledgement));
        Assert.All(await Task.WhenAll(revising), p => Assert.EndsWith("revised", p.Title, StringComparison.Ordinal));
        // The live status equals the fold of every event up to now, and the portfolio and the stream agree with it.
        Assert.Equal(JsonSerializer.Serialize(live), JsonSerializer.Serialize(folded));
        Assert.Equal((live.Rag, live.Spent.Amount), (item.Rag, item.Spent.Amount));
        Assert.Equal(live.Rag, latest.Rag);
        Assert.Equal(24, streamed.Where(c => c.Kind == StatusChangeKind.ActivityAdded).Select(c => c.About).Distinct().Count());
        Assert.Equal(3, streamed.Where(c => c.Kind == StatusChangeKind.ConnectionAdded).Select(c => c.About).Distinct().Count());
    }

    [Fact]
    public async Task a_connection_waiting_more_than_three_days_for_acknowledgement_turns_status_and_portfolio_amber_until_acknowledged()
    {
        var clock = new MovableClock(DateTimeOffset.UtcNow);
        var fresh = await Api.StartFreshApiAsync(configure: host => host.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        try
        {
            var w = await ConnectionWorld.CreateAsync(fresh);
            var activities = new List<ActivityDetails>();
            foreach (var discipline in w.Sides.Keys)
            {
                activities.Add(await w.ActivityAsync(discipline, $"{discipline} work", March1.AddDays(activities.Count * 10), March1.AddDays((activities.Count * 10) + 5)));
            }

            await w.ApproveAllAsync();

            var status = fresh.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
            var connection = await w.DependencyAsync(activities[0], activities[1]);
            var fresh0 = await status.GetOutcomeStatusAsync(w.OutcomeId);
            var portfolio0 = (await status.GetPortfolioAsync()).Items.Single();

            clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1));
            var almost = await status.GetOutcomeStatusAsync(w.OutcomeId);
            clock.Advance(TimeSpan.FromMinutes(2));
            var overdue = await status.GetOutcomeStatusAsync(w.OutcomeId);
            var portfolioOverdue = (await status.GetPortfolioAsync()).Items.Single();

            var from = w.Sides[w.DisciplineOf(activities[0])].Connections;
            var to = w.Sides[w.DisciplineOf(activities[1])].Connections;
            var acknowledged = await from.AcknowledgeConnectionAsync(w.OutcomeId, connection.Id, connection.Version, new AcknowledgeConnectionRequest());
            var halfway = await status.GetOutcomeStatusAsync(w.OutcomeId);
            await to.AcknowledgeConnectionAsync(w.OutcomeId, connection.Id, acknowledged.Version, new AcknowledgeConnectionRequest());
            var agreed = await status.GetOutcomeStatusAsync(w.OutcomeId);

            Assert.Equal((Rag.Green, Rag.Green, Rag.Green), (fresh0.Rag, portfolio0.Rag, almost.Rag));
            Assert.Equal(Rag.Amber, overdue.Rag);
            var reason = overdue.Reasons.Single();
            Assert.Equal(("acknowledgement-overdue", $"connection {connection.Id}"), (reason.Rule, reason.About));
            Assert.Equal([w.DisciplineOf(activities[0]), w.DisciplineOf(activities[1])], reason.Disciplines);
            Assert.Equal(Rag.Amber, portfolioOverdue.Rag);
            Assert.Equal(["acknowledgement-overdue"], portfolioOverdue.Rules);
            // One side's acknowledgement does not restart the other's three days.
            Assert.Equal("acknowledgement-overdue", halfway.Reasons.Single().Rule);
            Assert.Equal([w.DisciplineOf(activities[1])], halfway.Reasons.Single().Disciplines);
            Assert.Equal((Rag.Green, 0), (agreed.Rag, agreed.Reasons.Count));
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    /// <summary>A clock the test moves forward.</summary>
    private sealed class MovableClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
