using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Connections;

/// <summary>
/// Impact analysis and the critical path on a generated graph of 200 activities across the four disciplines,
/// checked against answers the test computes itself by plain relaxation (no topological order, no shared code).
/// </summary>
public sealed class ScheduleAnalysisTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly Start = new(2027, 1, 4);

    private sealed record Generated(ConnectionWorld World, List<ActivityDetails> Activities, List<(Guid From, Guid To, int Lag, Guid Connection)> Edges);

    private async Task<Generated> GenerateAsync()
    {
        var random = new Random(20261127);
        var w = await ConnectionWorld.CreateAsync(Api);
        var disciplines = Enum.GetValues<Discipline>();
        var activities = new List<ActivityDetails>();
        for (var i = 0; i < 200; i++)
        {
            var starts = Start.AddDays(random.Next(0, 280));
            var kpis = random.Next(3) == 0 ? new[] { "churn" } : ["clv"];
            activities.Add(await w.ActivityAsync(disciplines[i % 4], $"Activity {i:000}", starts, starts.AddDays(random.Next(0, 20)), kpis));
        }

        // Edges only go forward in a random order of the activities, so the graph has no cycle.
        var order = activities.OrderBy(_ => random.Next()).ToList();
        var edges = new List<(Guid, Guid, int, Guid)>();
        var seen = new HashSet<(Guid, Guid)>();
        while (edges.Count < 300)
        {
            var i = random.Next(order.Count - 1);
            var j = random.Next(i + 1, Math.Min(order.Count, i + 25));
            var (from, to) = (order[i], order[j]);
            if (from.PlanId == to.PlanId || !seen.Add((from.Id, to.Id)))
            {
                continue;
            }

            var lag = random.Next(-3, 8);
            var connection = await w.DependencyAsync(from, to, lag);
            edges.Add((from.Id, to.Id, lag, connection.Id));
        }

        return new Generated(w, activities, edges);
    }

    private static int Day(DateOnly date) => date.DayNumber;

    private static int Duration(ActivityDetails a) => Day(a.EndsOn) - Day(a.StartsOn) + 1;

    [Fact]
    public async Task the_critical_path_and_every_activitys_slack_match_an_independent_relaxation()
    {
        var g = await GenerateAsync();
        var byId = g.Activities.ToDictionary(a => a.Id);
        var es = g.Activities.ToDictionary(a => a.Id, a => Day(a.StartsOn));
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (from, to, lag, _) in g.Edges)
            {
                var candidate = es[from] + Duration(byId[from]) + lag;
                if (candidate > es[to])
                {
                    (es[to], changed) = (candidate, true);
                }
            }
        }

        var ef = es.ToDictionary(x => x.Key, x => x.Value + Duration(byId[x.Key]) - 1);
        var finish = ef.Values.Max();
        var lf = g.Activities.ToDictionary(a => a.Id, _ => finish);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (from, to, lag, _) in g.Edges)
            {
                var candidate = lf[to] - Duration(byId[to]) - lag;
                if (candidate < lf[from])
                {
                    (lf[from], changed) = (candidate, true);
                }
            }
        }

        var path = await g.World.Conductor.GetCriticalPathAsync(g.World.OutcomeId);

        Assert.Equal(200, path.Activities.Count);
        foreach (var a in path.Activities)
        {
            var expected = (es[a.ActivityId], ef[a.ActivityId], lf[a.ActivityId] - Duration(byId[a.ActivityId]) + 1, lf[a.ActivityId]);
            Assert.Equal(expected, (Day(a.EarliestStart), Day(a.EarliestFinish), Day(a.LatestStart), Day(a.LatestFinish)));
            Assert.Equal(expected.Item3 - expected.Item1, a.SlackDays);
        }

        Assert.True(path.Path.Count >= 2, $"a chain of {path.Path.Count}");
        Assert.Equal(finish, Day(path.End!.Value));
        Assert.Equal(finish, ef[path.Path[^1].ActivityId]);
        Assert.All(path.Path, a => Assert.Equal(0, a.SlackDays));
        foreach (var (prev, next) in path.Path.Zip(path.Path.Skip(1)))
        {
            Assert.Contains(g.Edges, e => e.From == prev.ActivityId && e.To == next.ActivityId && ef[prev.ActivityId] + 1 + e.Lag == es[next.ActivityId]);
        }

        var first = path.Path[0].ActivityId;
        Assert.DoesNotContain(g.Edges, e => e.To == first && ef[e.From] + 1 + e.Lag == es[first]);
        Assert.Equal((es[first], Day(path.End!.Value) - es[first] + 1), (Day(path.Start!.Value), path.SpanDays));
        Assert.True(path.Path.Select(a => a.Discipline).Distinct().Count() >= 2, "the chain crosses disciplines");
    }

    [Fact]
    public async Task a_slip_moves_exactly_what_an_independent_propagation_moves_and_names_the_conflicts_and_kpis()
    {
        var g = await GenerateAsync();
        var byId = g.Activities.ToDictionary(a => a.Id);
        var outgoing = g.Edges.ToLookup(e => e.From);
        HashSet<Guid> Reach(Guid source)
        {
            var reached = new HashSet<Guid>();
            var stack = new Stack<Guid>([source]);
            while (stack.Count > 0)
            {
                foreach (var e in outgoing[stack.Pop()])
                {
                    if (reached.Add(e.To))
                    {
                        stack.Push(e.To);
                    }
                }
            }

            return reached;
        }

        var source = g.Activities.OrderByDescending(a => Reach(a.Id).Count).ThenBy(a => a.Id).First();
        var hit = Reach(source.Id);
        const int slip = 12;
        var start = hit.ToDictionary(id => id, id => Day(byId[id].StartsOn));
        var end = hit.ToDictionary(id => id, id => Day(byId[id].EndsOn));
        (start[source.Id], end[source.Id]) = (Day(source.StartsOn) + slip, Day(source.EndsOn) + slip);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (from, to, lag, _) in g.Edges.Where(e => end.ContainsKey(e.From) && hit.Contains(e.To) && e.To != source.Id))
            {
                if (end[from] + 1 + lag > start[to])
                {
                    start[to] = end[from] + 1 + lag;
                    end[to] = start[to] + Duration(byId[to]) - 1;
                    changed = true;
                }
            }
        }

        var conflicts = g.Edges.Where(e => end.ContainsKey(e.From) && end[e.From] + 1 + e.Lag > Day(byId[e.To].StartsOn)).Select(e => e.Connection).Distinct().Order().ToList();

        var impact = await g.World.Conductor.AnalyseImpactAsync(g.World.OutcomeId, source.Id, slip);
        var cancelled = await g.World.Conductor.AnalyseImpactAsync(g.World.OutcomeId, source.Id, cancel: true);

        Assert.True(hit.Count >= 10, $"the source reaches {hit.Count}");
        var reported = impact.Disciplines.SelectMany(d => d.Activities.Select(a => (d.Discipline, a))).ToList();
        Assert.Equal(hit.Order(), reported.Select(x => x.a.ActivityId).Order());
        Assert.All(reported, x => Assert.Equal(byId[x.a.ActivityId].PlanId, x.a.PlanId));
        Assert.All(reported, x => Assert.Equal((start[x.a.ActivityId], start[x.a.ActivityId] - Day(byId[x.a.ActivityId].StartsOn)), (Day(x.a.NewEarliestStart), x.a.MoveDays)));
        Assert.Equal(Enum.GetValues<Discipline>(), impact.Disciplines.Select(d => d.Discipline));
        Assert.NotEmpty(conflicts);
        Assert.Contains(reported, x => x.a.MoveDays > 0);
        Assert.Equal(conflicts, impact.Conflicts.Order());
        Assert.Equal(hit.Append(source.Id).SelectMany(id => byId[id].KpiKeys).Distinct().Order(StringComparer.Ordinal), impact.KpiKeys);
        Assert.Equal(hit.Order(), cancelled.Disciplines.SelectMany(d => d.Activities).Select(a => a.ActivityId).Order());
        Assert.All(cancelled.Disciplines.SelectMany(d => d.Activities), a => Assert.Equal(0, a.MoveDays));
        Assert.Equal(g.Edges.Where(e => e.From == source.Id || e.To == source.Id).Select(e => e.Connection).Order(), cancelled.Conflicts.Order());
    }
}
