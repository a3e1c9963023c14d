using Marten;
using Microsoft.Extensions.Caching.Memory;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;

namespace OrchestraApi.Connections;

/// <summary>
/// Keeps each outcome's schedule in memory, checked against the database on every use: one round trip reads a
/// fingerprint — how many activities, plans and connections the outcome has and the sum of their versions. Every
/// change adds a document or moves a version up, so the fingerprint grows with every commit and an equal one means
/// nothing changed; a different one reloads. Reads are therefore never stale, and an unchanged graph of thousands
/// of activities and connections costs one small query instead of loading it all.
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

        var stamp = (await activities, await activityVersions, await plans, await planVersions, await connections, await connectionVersions);
        var key = (nameof(Schedule), session.TenantId, outcomeId);
        if (cache.TryGetValue(key, out Entry? entry) && entry!.Stamp == stamp)
        {
            return entry.Schedule;
        }

        // Read after the fingerprint: what is cached is never older than the fingerprint it is filed under.
        var load = session.CreateBatchQuery();
        var allConnections = load.Query<Connection>().Where(c => c.OutcomeId == outcomeId).ToList();
        var allActivities = load.Query<Activity>().Where(a => a.OutcomeId == outcomeId).ToList();
        var allPlans = load.Query<Plan>().Where(p => p.OutcomeId == outcomeId).ToList();
        await load.Execute(ct);
        var schedule = new Schedule(outcomeId, await allConnections, await allActivities, await allPlans);
        cache.Set(key, new Entry(stamp, schedule), Keep);
        return schedule;
    }

    private sealed record Entry((long, long, long, long, long, long) Stamp, Schedule Schedule);
}
