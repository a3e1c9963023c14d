using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Plans;

namespace OrchestraApi.Connections;

/// <summary>The critical path of a schedule, pure: earliest and latest dates of every live activity over the binding dependencies, and the chain that drives the last finish.</summary>
public static class CriticalPathRules
{
    public static CriticalPath Analyse(Schedule schedule, Guid outcomeId)
    {
        var edges = schedule.Edges();
        var order = schedule.TopologicalOrder(edges);
        if (order.Count == 0)
        {
            return new CriticalPath(outcomeId, [], null, null, 0, []);
        }

        var incoming = edges.ToLookup(e => e.To);
        var outgoing = edges.ToLookup(e => e.From);
        var es = new Dictionary<Guid, int>();
        var ef = new Dictionary<Guid, int>();
        foreach (var a in order)
        {
            var start = a.Spec.StartsOn.DayNumber;
            foreach (var e in incoming[a.Id].Where(e => ef.ContainsKey(e.From)))
            {
                start = Math.Max(start, ef[e.From] + 1 + e.Lag);
            }

            es[a.Id] = start;
            ef[a.Id] = start + Schedule.Duration(a) - 1;
        }

        var finish = ef.Values.Max();
        var ls = new Dictionary<Guid, int>();
        var lf = new Dictionary<Guid, int>();
        foreach (var a in order.Reverse())
        {
            var latest = finish;
            foreach (var e in outgoing[a.Id].Where(e => ls.ContainsKey(e.To)))
            {
                latest = Math.Min(latest, ls[e.To] - 1 - e.Lag);
            }

            lf[a.Id] = latest;
            ls[a.Id] = latest - Schedule.Duration(a) + 1;
        }

        ScheduledActivity Of(Activity a) => new(
            a.Id, a.PlanId, a.Discipline, a.Spec.Name, DateOnly.FromDayNumber(es[a.Id]), DateOnly.FromDayNumber(ef[a.Id]),
            DateOnly.FromDayNumber(ls[a.Id]), DateOnly.FromDayNumber(lf[a.Id]), ls[a.Id] - es[a.Id]);

        // Back from the last finish, through the upstream that drives each start (the latest-finishing one on a tie).
        var last = order.OrderByDescending(a => ef[a.Id]).ThenBy(a => a.Id).First();
        var path = new List<Activity> { last };
        for (var current = last; ;)
        {
            var driver = incoming[current.Id]
                .Where(e => ef.ContainsKey(e.From) && ef[e.From] + 1 + e.Lag == es[current.Id])
                .Select(e => schedule.Activity(e.From)!)
                .OrderByDescending(a => ef[a.Id]).ThenBy(a => a.Id)
                .FirstOrDefault();
            if (driver is null || path.Contains(driver))
            {
                break;
            }

            path.Insert(0, driver);
            current = driver;
        }

        var first = path[0];
        return new CriticalPath(
            outcomeId, [.. path.Select(Of)], DateOnly.FromDayNumber(es[first.Id]), DateOnly.FromDayNumber(ef[last.Id]), ef[last.Id] - es[first.Id] + 1,
            [.. order.OrderBy(a => a.Id).Select(Of)]);
    }
}
