using System.ComponentModel.DataAnnotations;
using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;
using OrchestraApi.Connections;
using OrchestraApi.Feed;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Status;

namespace OrchestraApi.Triggers;

public sealed class TriggerSettings
{
    public const string Section = "Orchestra:Triggers";

    /// <summary>Seconds between two evaluations of every enabled trigger (for conditions time alone makes true).</summary>
    [Range(1, 3600)]
    public int TickSeconds { get; set; } = 30;
}

/// <summary>A change the feed numbered: its position, the kind of resource it changed, and its stream's version after it.</summary>
public sealed record MarkedChange(long Position, string Resource, Guid Stream = default, long Version = 0);

/// <summary>
/// An outcome whose changes the feed numbered: the evaluator looks at it next (a document of the organisation), in the
/// lane of KPI conditions (<see cref="Kpis"/>: only when a change is one they read) or of the others.
/// </summary>
public sealed record TriggerMark(Guid Id, Guid OutcomeId, IReadOnlyList<MarkedChange> Changes, bool Kpis = false);

/// <summary>
/// Since when a condition with `forDays` has held for a subject (a document of the organisation): the trigger fires
/// once it has held that long on end; gone as soon as it stops holding. Its id is made from what it is, so two
/// evaluators at a hand-over write the same one.
/// </summary>
public sealed record TriggerHolding(Guid Id, Guid TriggerId, long TriggerVersion, Guid OutcomeId, string Subject, DateTimeOffset Since)
{
    public static Guid IdOf(Guid triggerId, long version, Guid outcomeId, string subject) => NamedIds.Of($"trigger-holding:{triggerId:N}:{version}:{outcomeId:N}:{subject}");

    /// <summary>
    /// The holdings that have lasted <paramref name="days"/> days on end, from when each began (<paramref name="since"/>,
    /// which learns the new ones and forgets the ones that stopped), their evidence saying so.
    /// </summary>
    public static List<Holding> Sustained(IReadOnlyList<Holding> holdings, IDictionary<string, DateTimeOffset> since, DateTimeOffset now, int days)
    {
        foreach (var stopped in since.Keys.Where(s => !holdings.Any(h => h.Subject == s)).ToList())
        {
            since.Remove(stopped);
        }

        var lasting = new List<Holding>();
        foreach (var h in holdings)
        {
            var began = since.TryGetValue(h.Subject, out var known) ? known : since[h.Subject] = now;
            if (now - began >= TimeSpan.FromDays(days))
            {
                lasting.Add(h with
                {
                    Summary = $"{h.Summary} So for {days} days on end (since {began:yyyy-MM-dd HH:mm} UTC).",
                    Values = new Dictionary<string, decimal?>(h.Values) { ["forDays"] = days, ["heldDays"] = Math.Round((decimal)(now - began).TotalDays, 2) },
                });
            }
        }

        return lasting;
    }
}

/// <summary>
/// Evaluates triggers, on the one node whose daemon runs the feed (like webhook delivery): the outcomes the feed marked
/// as changed (<see cref="TriggerMark"/>, written in the feed's transaction), as soon as the feed moves, and every
/// outcome a trigger watches once per tick. One loop decides every firing and clearing of an organisation in one
/// transaction; a firing's stream id is made from what it is (<see cref="TriggerFiring.IdOf"/>), so an evaluator on
/// another node deciding the same firing at a hand-over cannot make it twice.
/// </summary>
public sealed class TriggerEvaluator(
    IDocumentStore store, NpgsqlDataSource database, IServiceProvider services, FeedSignals signals, IOptions<TriggerSettings> settings,
    TimeProvider clock, IEnumerable<ICommitObserver> observers, ILogger<TriggerEvaluator> logger) : BackgroundService
{
    /// <summary>Told of each round's commit like a command's: a firing's flag moves its outcome's status, live streams and portfolio.</summary>
    private readonly ICommitObserver[] _observers = [.. observers];

    private const int MarksPerRound = 2000;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private readonly ScheduleCache _schedules = new(new MemoryCache(new MemoryCacheOptions()));

    /// <summary>The last version of each stream the feed numbered, as this node's KPI lane has seen it in marks.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Tenant, Guid Stream), long> _numbered = new();

    /// <summary>Two lanes, each its own loop: KPI conditions never wait behind conditions that read a large schedule.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(LaneAsync(kpis: true, stoppingToken), LaneAsync(kpis: false, stoppingToken));

    private async Task LaneAsync(bool kpis, CancellationToken stoppingToken)
    {
        var nextTick = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var moved = signals.AnyMove();
                if (!FeedSubscription.RunsHere(services))
                {
                    await Task.Delay(Idle, stoppingToken);
                    continue;
                }

                var tick = DateTimeOffset.UtcNow >= nextTick;
                if (tick)
                {
                    nextTick = DateTimeOffset.UtcNow.AddSeconds(settings.Value.TickSeconds);
                }

                if (await RoundAsync(tick, kpis, stoppingToken) == 0)
                {
                    var untilTick = nextTick - DateTimeOffset.UtcNow;
                    await Task.WhenAny(moved, Task.Delay(untilTick < Idle ? untilTick < TimeSpan.Zero ? TimeSpan.Zero : untilTick : Idle, stoppingToken));
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is NpgsqlException or MartenException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(e, "Trigger evaluation paused by an error; it resumes in 5 seconds");
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }

    /// <summary>One round of a lane: its marked outcomes (and, on a tick, every watched one); answers how many marks it took.</summary>
    public async Task<int> RoundAsync(bool tick, bool kpis, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        var marks = new Dictionary<string, List<TriggerMark>>();
        var serializer = store.Options.Serializer();
        await using (var query = database.CreateCommand($"select tenant_id, data from {schema}.mt_doc_triggermark where coalesce((data ->> 'kpis')::boolean, false) = $1 order by id limit {MarksPerRound}"))
        {
            query.Parameters.AddWithValue(kpis);
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var tenant = reader.GetString(0);
                (marks.TryGetValue(tenant, out var list) ? list : marks[tenant] = []).Add(serializer.FromJson<TriggerMark>(reader, 1));
            }
        }

        var tenants = marks.Keys.ToHashSet();
        if (tick)
        {
            await using var query = database.CreateCommand($"select distinct tenant_id from {schema}.mt_doc_trigger where (data ->> 'enabled')::boolean");
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tenants.Add(reader.GetString(0));
            }
        }

        foreach (var tenant in tenants)
        {
            await EvaluateAsync(tenant, marks.GetValueOrDefault(tenant) ?? [], tick, kpis, ct);
        }

        return marks.Values.Sum(m => m.Count);
    }

    /// <summary>One pass over an organisation: its KPI conditions (<paramref name="kpis"/>) or the others, decided and committed with the deletion of the lane's marks in one transaction.</summary>
    private async Task EvaluateAsync(string tenant, List<TriggerMark> marks, bool tick, bool kpis, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenant);
        var triggers = (await session.Query<Trigger>().Where(t => t.Enabled).ToListAsync(ct)).Where(t => TriggerEvaluation.ReadsKpisOnly(t.Condition.Kind) == kpis).ToList();
        var positions = marks.GroupBy(m => m.OutcomeId).ToDictionary(g => g.Key, g => (IReadOnlyList<MarkedChange>)[.. g.SelectMany(m => m.Changes).DistinctBy(c => c.Position).OrderBy(c => c.Position)]);
        var outcomes = positions.Keys.ToHashSet();
        if (tick && triggers.Count > 0)
        {
            if (triggers.Any(t => t.Scope.OutcomeIds is not { Count: > 0 }))
            {
                outcomes.UnionWith(await session.Query<Outcome>().Where(o => o.Status == OutcomeStatus.Active).Select(o => o.Id).ToListAsync(ct));
            }

            outcomes.UnionWith(triggers.SelectMany(t => t.Scope.OutcomeIds ?? []));
        }

        foreach (var change in marks.SelectMany(m => m.Changes).Where(c => c.Stream != Guid.Empty))
        {
            _numbered.AddOrUpdate((tenant, change.Stream), change.Version, (_, known) => Math.Max(known, change.Version));
        }

        var waiting = new HashSet<Guid>();
        var watched = outcomes.Where(o => triggers.Any(t => t.Scope.Covers(o))).ToArray();
        var firings = watched.Length == 0 ? [] : await session.Query<TriggerFiring>().Where(f => f.OutcomeId.IsOneOf(watched)).ToListAsync(ct);
        var held = watched.Length == 0 || !triggers.Any(t => t.Condition.ForDays is not null) ? [] : await session.Query<TriggerHolding>().Where(h => h.OutcomeId.IsOneOf(watched)).ToListAsync(ct);
        var now = clock.GetUtcNow();
        foreach (var outcomeId in watched)
        {
            // On a mark, only the conditions its changes can move; on a tick, all. The schedule is read only when one needs it.
            var marked = positions.TryGetValue(outcomeId, out var causes);
            var due = triggers.Where(t => t.Scope.Covers(outcomeId) && (tick || causes!.Any(c => TriggerEvaluation.Reads(t.Condition.Kind, c.Resource)))).ToList();
            if (due.Count == 0)
            {
                continue;
            }

            TriggerInputs conditions;
            try
            {
                conditions = kpis
                    ? await TriggerInputs.KpisAsync(session, outcomeId, now, ct) ?? throw Outcome.NotFound(outcomeId)
                    : TriggerInputs.Of(await StatusInputs.NowAsync(session, _schedules, outcomeId, now, ct));
            }
            catch (NotFoundException)
            {
                continue;
            }

            if (kpis && (await AheadAsync(session, outcomeId, conditions.Outcome.Version, ct) || await AheadAsync(session, OutcomeResults.IdOf(outcomeId), conditions.Results?.Version ?? 0, ct)))
            {
                // What was read holds a change the feed has not numbered yet: decide once its mark comes, so a firing names it.
                waiting.Add(outcomeId);
                continue;
            }

            foreach (var trigger in due)
            {
                // Unmarked (a tick): only what time alone makes true fires; a change's firing waits for its mark, to name it.
                var holdings = TriggerEvaluation.Holdings(trigger, conditions);
                if (trigger.Condition.ForDays is { } days)
                {
                    holdings = Sustained(session, trigger, outcomeId, holdings, held, now, days);
                }

                // The causes it names: the changes it reads (a KPI condition: the outcome's, its results', its segments').
                var named = (causes ?? []).Where(c => TriggerEvaluation.Reads(trigger.Condition.Kind, c.Resource)).Select(c => c.Position).TakeLast(TriggerRules.MaxPositions).ToList();
                Decide(session, trigger, holdings, marked || TriggerRules.TimeDriven(trigger.Condition.Kind), [.. firings.Where(f => f.TriggerId == trigger.Id && f.OutcomeId == outcomeId)],
                    outcomeId, named, now);
            }
        }

        foreach (var mark in marks.Where(m => !waiting.Contains(m.OutcomeId)))
        {
            session.Delete(mark);
        }

        try
        {
            object?[] saving = [.. _observers.Select(o => o.Saving(session))];
            await session.SaveChangesAsync(ct);
            for (var i = 0; i < _observers.Length; i++)
            {
                _observers[i].Committed(session.TenantId, saving[i]);
            }
        }
        catch (ExistingStreamIdCollisionException e)
        {
            // Another node decided the same firing during a hand-over: it is made; the marks are looked at again.
            logger.LogInformation(e, "A trigger firing was already made by another evaluator");
        }
    }

    /// <summary>Fires for each subject the condition holds for and its re-arm policy allows; clears each open firing whose condition no longer holds (or whose trigger was revised).</summary>
    private static void Decide(
        IDocumentSession session, Trigger trigger, IReadOnlyList<Holding> holdings, bool mayFire, List<TriggerFiring> firings, Guid outcomeId, IReadOnlyList<long> positions, DateTimeOffset now)
    {
        var holding = holdings.ToDictionary(h => h.Subject);
        foreach (var open in firings.Where(f => f.IsOpen))
        {
            var reason = open.TriggerVersion != trigger.Version ? $"The trigger was revised (version {trigger.Version})."
                : holding.ContainsKey(open.Subject) ? null
                : "The condition no longer holds.";
            if (reason is not null)
            {
                session.Events.Append(open.Id, open.Version + 1, new TriggerCleared(open.Id, trigger.Id, outcomeId, reason, TriggerRules.System, now));
            }
        }

        foreach (var h in holdings.Where(_ => mayFire))
        {
            var mine = firings.Where(f => f.Subject == h.Subject && f.TriggerVersion == trigger.Version).ToList();
            var last = mine.MaxBy(f => f.FiredAt);
            var fire = trigger.Rearm.Policy == RearmPolicy.AtMostEvery
                ? last is null || now - last.FiredAt >= TimeSpan.FromHours(trigger.Rearm.Hours!.Value)
                : !mine.Any(f => f.IsOpen);
            if (fire)
            {
                var id = TriggerFiring.IdOf(trigger.Id, trigger.Version, h.Subject, last?.Id);
                session.Events.StartStream<TriggerFiring>(id, new TriggerFired(
                    id, trigger.Id, trigger.Version, trigger.Name, outcomeId, h.Subject, Bounded(h.Summary), h.Values, positions, h.Disciplines, TriggerRules.System, now, trigger.Actions.Flag?.Level));
                if (trigger.Actions.OpenTask is { } task)
                {
                    var taskId = Tasks.TriggerTask.IdOf(id);
                    session.Events.StartStream<Tasks.TriggerTask>(taskId, new Tasks.TaskOpened(
                        taskId, outcomeId, trigger.Id, id, task.Title ?? trigger.Name, Bounded(h.Summary), task.Assignee!, TriggerRules.System, now));
                }
            }
        }
    }

    /// <summary>The holdings of a `forDays` condition that have lasted, the moments each began kept as documents.</summary>
    private static List<Holding> Sustained(IDocumentSession session, Trigger trigger, Guid outcomeId, IReadOnlyList<Holding> holdings, IReadOnlyList<TriggerHolding> held, DateTimeOffset now, int days)
    {
        var mine = held.Where(h => h.TriggerId == trigger.Id && h.OutcomeId == outcomeId).ToList();
        var since = mine.Where(h => h.TriggerVersion == trigger.Version).ToDictionary(h => h.Subject, h => h.Since, StringComparer.Ordinal);
        var lasting = TriggerHolding.Sustained(holdings, since, now, days);
        foreach (var gone in mine.Where(h => h.TriggerVersion != trigger.Version || !since.ContainsKey(h.Subject)))
        {
            session.Delete(gone);
        }

        foreach (var (subject, began) in since.Where(x => !mine.Any(h => h.TriggerVersion == trigger.Version && h.Subject == x.Key)))
        {
            session.Store(new TriggerHolding(TriggerHolding.IdOf(trigger.Id, trigger.Version, outcomeId, subject), trigger.Id, trigger.Version, outcomeId, subject, began));
        }

        return lasting;
    }

    /// <summary>
    /// Whether a stream read at <paramref name="version"/> holds a change the feed has not numbered yet: known from the
    /// marks, or — for a stream no mark named since this node started — asked of the feed once.
    /// </summary>
    private async Task<bool> AheadAsync(IDocumentSession session, Guid stream, long version, CancellationToken ct)
    {
        var key = (session.TenantId, stream);
        if (_numbered.TryGetValue(key, out var numbered))
        {
            return version > numbered;
        }

        if (version <= 1 || await session.Query<FeedEntry>().AnyAsync(e => e.StreamId == stream && e.StreamVersion == version, ct))
        {
            _numbered.TryAdd(key, version);
            return false;
        }

        return true;
    }

    private static string Bounded(string text) => text.Length <= 1000 ? text : text[..999] + "…";
}
