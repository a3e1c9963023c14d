using Marten;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Plans;

namespace OrchestraApi.Connections;

/// <summary>
/// An outcome's schedule as its connections see it — activities, plans and the connection graph, read in one
/// round trip — and what follows from it: each connection's effective state and schedule conflict (derived from
/// the activities' current dates, so they are never stale), cycles, impact of a slip and the critical path.
/// Days are whole: an activity ending on the 10th lets its dependant start on the 11th (plus the lag).
/// </summary>
public sealed class Schedule
{
    private readonly Dictionary<Guid, Activity> _activities;
    private readonly Dictionary<Guid, Plan> _plans;
    private readonly Dictionary<Guid, Connection> _connections;

    public Schedule(Guid outcomeId, IReadOnlyList<Connection> connections, IReadOnlyList<Activity> activities, IReadOnlyList<Plan> plans)
    {
        OutcomeId = outcomeId;
        Connections = [.. connections.OrderBy(c => c.Id)];
        _connections = connections.ToDictionary(c => c.Id);
        _activities = activities.ToDictionary(a => a.Id);
        _plans = plans.ToDictionary(p => p.Id);
        _edges = new Lazy<IReadOnlyList<(Guid From, Guid To, int Lag, Guid ConnectionId)>>(ComputeEdges);
    }

    private readonly Lazy<IReadOnlyList<(Guid From, Guid To, int Lag, Guid ConnectionId)>> _edges;

    public Guid OutcomeId { get; }

    /// <summary>Every connection of the outcome, oldest first.</summary>
    public IReadOnlyList<Connection> Connections { get; }

    public Connection? Find(Guid connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>The same schedule with one connection added or replaced.</summary>
    public Schedule With(Connection connection) =>
        new(OutcomeId, [.. Connections.Where(c => c.Id != connection.Id), connection], [.. _activities.Values], [.. _plans.Values]);

    public IReadOnlyCollection<Activity> Activities => _activities.Values;

    public IReadOnlyCollection<Plan> Plans => _plans.Values;

    /// <summary>
    /// The outcome's schedule as now committed, read through <paramref name="cache"/> (see <see cref="ScheduleCache"/>).
    /// Null when the outcome is not in this organisation.
    /// </summary>
    public static Task<Schedule?> LoadAsync(IQuerySession session, Guid outcomeId, ScheduleCache cache, CancellationToken ct) =>
        cache.LoadAsync(session, outcomeId, ct);

    public Activity? Activity(Guid id) => _activities.GetValueOrDefault(id);

    public Plan? Plan(Guid id) => _plans.GetValueOrDefault(id);

    /// <summary>The activities a side stands for: the activity, or every activity of the plan that is not cancelled.</summary>
    public IEnumerable<Activity> Members(ConnectionEnd end) => end.ActivityId is { } id
        ? _activities.TryGetValue(id, out var a) && a.Status != ActivityStatus.Cancelled ? [a] : []
        : _activities.Values.Where(a => a.PlanId == end.PlanId && a.Status != ActivityStatus.Cancelled);

    /// <summary>A connection's state with cancellations applied: a live connection to cancelled work is broken.</summary>
    public (ConnectionState State, string? Reason) EffectiveState(Connection c)
    {
        if (c.IsFinal)
        {
            return (c.State, c.StateReason);
        }

        foreach (var end in new[] { c.From, c.To })
        {
            if (end.ActivityId is { } id && _activities.GetValueOrDefault(id) is { Status: ActivityStatus.Cancelled } a)
            {
                return (ConnectionState.Broken, $"Activity '{a.Spec.Name}' was cancelled: {a.ClosingReason}");
            }

            if (_plans.GetValueOrDefault(end.PlanId) is { Status: PlanStatus.Cancelled } p)
            {
                return (ConnectionState.Broken, $"Plan '{p.Title}' was cancelled: {p.ClosingReason}");
            }
        }

        return (c.State, c.StateReason);
    }

    /// <summary>
    /// What makes a live dependency or hand-off a schedule conflict, or null — the one rule, used by the connection's
    /// read, status, the timeline and impact analysis alike. A dependency is in conflict when a downstream activity
    /// starts before an upstream one ends (plus the lag); a hand-off when its artefact cannot arrive in time: a
    /// delivering activity ends after the due date, or the due date falls after the first receiving activity starts.
    /// With <paramref name="upstreamAt"/>, the question is "what if these upstream activities ran at these dates"
    /// (impact analysis): only they are judged on the upstream side, everything else at its current dates.
    /// </summary>
    public string? Conflict(Connection c, IReadOnlyDictionary<Guid, (DateOnly StartsOn, DateOnly EndsOn)>? upstreamAt = null)
    {
        if (EffectiveState(c).State is ConnectionState.Met or ConnectionState.Broken or ConnectionState.Withdrawn)
        {
            return null;
        }

        var upstream = Members(c.From)
            .Where(a => upstreamAt is null || upstreamAt.ContainsKey(a.Id))
            .Select(a => (Activity: a, EndsOn: upstreamAt is not null ? upstreamAt[a.Id].EndsOn : a.Spec.EndsOn))
            .ToList();
        if (c.Kind == ConnectionKind.Dependency)
        {
            foreach (var (from, endsOn) in upstream)
            {
                foreach (var to in Members(c.To).Where(t => t.Id != from.Id))
                {
                    var earliest = endsOn.AddDays(1 + c.LagDays);
                    if (to.Spec.StartsOn < earliest)
                    {
                        return $"'{to.Spec.Name}' starts on {to.Spec.StartsOn:yyyy-MM-dd}, before '{from.Spec.Name}' ends (+{c.LagDays} days lag): earliest {earliest:yyyy-MM-dd}.";
                    }
                }
            }
        }
        else if (c.Kind == ConnectionKind.Handoff && c.DueOn is { } due)
        {
            if (upstream.OrderByDescending(u => u.EndsOn).FirstOrDefault() is { Activity: not null } last && last.EndsOn > due)
            {
                return $"'{last.Activity.Spec.Name}' ends on {last.EndsOn:yyyy-MM-dd}, after '{c.Artefact}' is due on {due:yyyy-MM-dd}.";
            }

            if (Members(c.To).OrderBy(a => a.Spec.StartsOn).FirstOrDefault() is { } first && due > first.Spec.StartsOn)
            {
                return $"'{c.Artefact}' is due on {due:yyyy-MM-dd}, after '{first.Spec.Name}' starts on {first.Spec.StartsOn:yyyy-MM-dd}.";
            }
        }

        return null;
    }

    private IEnumerable<(Activity From, Activity To)> Pairs(Connection c) =>
        from f in Members(c.From) from t in Members(c.To) where f.Id != t.Id select (f, t);

    /// <summary>Finish-to-start edges between activities (plans expanded to their activities) of the dependencies that bind.</summary>
    public IReadOnlyList<(Guid From, Guid To, int Lag, Guid ConnectionId)> Edges() => _edges.Value;

    private IReadOnlyList<(Guid From, Guid To, int Lag, Guid ConnectionId)> ComputeEdges() =>
        [.. Connections.Where(c => c.Binds && EffectiveState(c).State != ConnectionState.Broken)
            .SelectMany(c => Pairs(c).Select(p => (p.From.Id, p.To.Id, c.LagDays, c.Id)))];

    /// <summary>
    /// The cycle a new dependency from <paramref name="from"/> to <paramref name="to"/> would close, as the nodes in
    /// order (activities, or a plan's start or end), or null.
    /// </summary>
    public IReadOnlyList<string>? CycleWith(ConnectionEnd from, ConnectionEnd to)
    {
        var next = SpanGraph();

        // The new edge Out(from) → In(to) closes a cycle if In(to) already reaches Out(from).
        var target = Out(from);
        var start = In(to);
        var previous = new Dictionary<string, string?> { [start] = null };
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            if (node == target)
            {
                var path = new List<string>();
                for (var n = node; n is not null; n = previous[n])
                {
                    path.Add(n);
                }

                path.Reverse();
                return [target, .. path];
            }

            foreach (var n in next.GetValueOrDefault(node) ?? [])
            {
                if (previous.TryAdd(n, node))
                {
                    queue.Enqueue(n);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A cycle the binding dependencies already form, as the nodes in order with the first repeated at the end, or
    /// null: what a change that moves work between plans (a pilot's promotion) must not leave behind.
    /// </summary>
    public IReadOnlyList<string>? Cycle()
    {
        var next = SpanGraph();
        var state = new Dictionary<string, bool>(); // false: on the current path; true: done.
        var path = new List<string>();
        foreach (var root in next.Keys.Order(StringComparer.Ordinal))
        {
            if (!state.ContainsKey(root) && Visit(root) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        // Depth first with an explicit stack of iterators: an outcome's graph may be deeper than the call stack allows.
        IReadOnlyList<string>? Visit(string root)
        {
            var stack = new Stack<IEnumerator<string>>();
            state[root] = false;
            path.Add(root);
            stack.Push((next.GetValueOrDefault(root) ?? []).GetEnumerator());
            while (stack.Count > 0)
            {
                if (!stack.Peek().MoveNext())
                {
                    stack.Pop();
                    state[path[^1]] = true;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }

                var n = stack.Peek().Current;
                if (!state.TryGetValue(n, out var done))
                {
                    state[n] = false;
                    path.Add(n);
                    stack.Push((next.GetValueOrDefault(n) ?? []).GetEnumerator());
                }
                else if (!done)
                {
                    return [.. path[path.IndexOf(n)..], n];
                }
            }

            return null;
        }
    }

    /// <summary>The same schedule with some activities replaced by their new state (e.g. moved into another plan).</summary>
    public Schedule WithActivities(IEnumerable<Activity> changed)
    {
        var activities = new Dictionary<Guid, Activity>(_activities);
        foreach (var a in changed)
        {
            activities[a.Id] = a;
        }

        return new(OutcomeId, Connections, [.. activities.Values], [.. _plans.Values]);
    }

    private static string Out(ConnectionEnd e) => e.ActivityId is { } a ? $"activity {a}" : $"end of plan {e.PlanId}";

    private static string In(ConnectionEnd e) => e.ActivityId is { } a ? $"activity {a}" : $"start of plan {e.PlanId}";

    /// <summary>
    /// The dependency graph with plans as spans: a plan's start precedes its live activities, which precede its end,
    /// so a cycle through a plan is found even before the plan has activities; each binding dependency is an edge
    /// from its upstream's end to its downstream's start.
    /// </summary>
    private Dictionary<string, List<string>> SpanGraph()
    {
        var next = new Dictionary<string, List<string>>();
        void Edge(string a, string b) => (next.TryGetValue(a, out var l) ? l : next[a] = []).Add(b);
        foreach (var plan in _plans.Values)
        {
            Edge($"start of plan {plan.Id}", $"end of plan {plan.Id}");
        }

        foreach (var a in _activities.Values.Where(a => a.Status != ActivityStatus.Cancelled))
        {
            Edge($"start of plan {a.PlanId}", $"activity {a.Id}");
            Edge($"activity {a.Id}", $"end of plan {a.PlanId}");
        }

        foreach (var c in Connections.Where(c => c.Binds && EffectiveState(c).State != ConnectionState.Broken))
        {
            Edge(Out(c.From), In(c.To));
        }

        return next;
    }

    /// <summary>Activities in an order where every edge goes forward (Kahn); activities on a cycle, if any, are left out.</summary>
    public IReadOnlyList<Activity> TopologicalOrder(IReadOnlyList<(Guid From, Guid To, int Lag, Guid ConnectionId)> edges)
    {
        var live = _activities.Values.Where(a => a.Status != ActivityStatus.Cancelled).ToDictionary(a => a.Id);
        var incoming = live.Keys.ToDictionary(id => id, _ => 0);
        foreach (var e in edges.Where(e => live.ContainsKey(e.From) && live.ContainsKey(e.To)))
        {
            incoming[e.To]++;
        }

        var outgoing = edges.Where(e => live.ContainsKey(e.From) && live.ContainsKey(e.To)).ToLookup(e => e.From);
        var ready = new Queue<Guid>(incoming.Where(i => i.Value == 0).Select(i => i.Key).OrderBy(id => id));
        var order = new List<Activity>();
        while (ready.Count > 0)
        {
            var id = ready.Dequeue();
            order.Add(live[id]);
            foreach (var e in outgoing[id])
            {
                if (--incoming[e.To] == 0)
                {
                    ready.Enqueue(e.To);
                }
            }
        }

        return order;
    }

    public static int Duration(Activity a) => a.Spec.EndsOn.DayNumber - a.Spec.StartsOn.DayNumber + 1;

    public static IReadOnlyList<Discipline> AllDisciplines { get; } = Enum.GetValues<Discipline>();
}
