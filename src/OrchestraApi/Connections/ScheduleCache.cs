using Marten;
using Microsoft.Extensions.Caching.Memory;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;

namespace OrchestraApi.Connections;

/// <summary>
/// Keeps each outcome's schedule in memory, checked against the database on every use: one round trip reads a
/// fingerprint — how many activities, plans and connections the outcome has and the sum of their versions. Every
/// change adds a document or moves a version up, so the fingerprint grows with every commit and an equal one means
/// nothing changed. The work (activities and plans) and the links (connections) are kept and reloaded apart, so a
/// new connection does not reload a thousand activities. Reads are never stale, and an unchanged outcome costs one
/// small query instead of loading it all.
/// </summary>
public sealed class ScheduleCache(IMemoryCache cache)
{
    private static readonly MemoryCacheEntryOptions Keep = new() { SlidingExpiration = TimeSpan.FromMinutes(10) };

    public async Task<Schedule?> LoadAsync(IQuerySession session, Guid outcomeId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var outcome = batch.Query<Outcome>().Where(o => o.Id == outcomeId).Any();
        var activities = batch.Query<Activity>().Where(a => a.OutcomeId == outcomeId).Count();
        var activityVersions = batch.Query<Activity>().Where(a => a.OutcomeId == outcomeId).Sum(a => a.Version);
        var plans = batch.Query<Plan>().Where(p => p.OutcomeId == outcomeId).Count();
        var planVersions = batch.Query<Plan>().Where(p => p.OutcomeId == outcomeId).Sum(p => p.Version);
        var connections = batch.Query<Connection>().Where(c => c.OutcomeId == outcomeId).Count();
        var connectionVersions = batch.Query<Connection>().Where(c => c.OutcomeId == outcomeId).Sum(c => c.Version);
        await batch.Execute(ct);
        if (!await outcome)
        {
            return null;
        }

        var workStamp = (await activities, await activityVersions, await plans, await planVersions);
        var linksStamp = (await connections, await connectionVersions);
        var key = (nameof(Schedule), session.TenantId, outcomeId);
        var cached = cache.Get<Entry>(key);
        if (cached is not null && cached.Work == workStamp && cached.Links == linksStamp)
        {
            return cached.Schedule;
        }

        // Read after the fingerprint, so what is cached is never older than the fingerprint it is filed under. A part
        // that changed is refreshed by versions: only documents whose version moved (or that are new) are loaded.
        var schedule = new Schedule(
            outcomeId,
            cached is not null && cached.Links == linksStamp ? cached.Schedule.Connections
                : await RefreshAsync(session, cached?.Schedule.Connections, c => c.OutcomeId == outcomeId, c => new Versioned { Id = c.Id, Version = c.Version }, c => c.Id, c => c.Version, ct),
            cached is not null && cached.Work == workStamp ? [.. cached.Schedule.Activities]
                : await RefreshAsync(session, [.. cached?.Schedule.Activities ?? []], a => a.OutcomeId == outcomeId, a => new Versioned { Id = a.Id, Version = a.Version }, a => a.Id, a => a.Version, ct),
            cached is not null && cached.Work == workStamp ? [.. cached.Schedule.Plans]
                : await RefreshAsync(session, [.. cached?.Schedule.Plans ?? []], p => p.OutcomeId == outcomeId, p => new Versioned { Id = p.Id, Version = p.Version }, p => p.Id, p => p.Version, ct));
        cache.Set(key, new Entry(workStamp, linksStamp, schedule), Keep);
        return schedule;
    }

    /// <summary>
    /// A stream's snapshot at <paramref name="version"/> (what a cheap query just read), kept in memory: loaded again
    /// only when the version asked for is not the one kept — for snapshots too large to read on every request.
    /// </summary>
    public async Task<T?> SnapshotAsync<T>(IQuerySession session, Guid id, long version, Func<T, long> versionOf, CancellationToken ct)
        where T : class
    {
        var key = (typeof(T), session.TenantId, id);
        if (cache.Get<T>(key) is { } kept && versionOf(kept) == version)
        {
            return kept;
        }

        var snapshot = await session.LoadAsync<T>(id, ct);
        if (snapshot is not null)
        {
            cache.Set(key, snapshot, Keep);
        }

        return snapshot;
    }

    private static async Task<IReadOnlyList<T>> RefreshAsync<T>(
        IQuerySession session,
        IReadOnlyList<T>? cached,
        System.Linq.Expressions.Expression<Func<T, bool>> ofOutcome,
        System.Linq.Expressions.Expression<Func<T, Versioned>> versioned,
        Func<T, Guid> idOf,
        Func<T, long> versionOf,
        CancellationToken ct)
        where T : notnull
    {
        if (cached is null || cached.Count == 0)
        {
            return await session.Query<T>().Where(ofOutcome).ToListAsync(ct);
        }

        var current = await session.Query<T>().Where(ofOutcome).Select(versioned).ToListAsync(ct);
        var known = cached.ToDictionary(idOf);
        var stale = current.Where(v => !known.TryGetValue(v.Id, out var doc) || versionOf(doc) != v.Version).Select(v => v.Id).ToList();
        var fresh = stale.Count == 0 ? [] : (await session.LoadManyAsync<T>(ct, stale)).ToDictionary(idOf);
        return [.. current.Select(v => fresh.TryGetValue(v.Id, out var doc) ? doc : known.GetValueOrDefault(v.Id)).OfType<T>()];
    }

    /// <summary>A document's id and version: what a refresh compares.</summary>
    public sealed class Versioned
    {
        public Guid Id { get; set; }

        public long Version { get; set; }
    }

    private sealed record Entry((long, long, long, long) Work, (long, long) Links, Schedule Schedule);
}
