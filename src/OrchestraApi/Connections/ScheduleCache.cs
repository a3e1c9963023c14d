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

        // Read after the fingerprint: what is cached is never older than the fingerprint it is filed under.
        var load = session.CreateBatchQuery();
        var reloadWork = cached is null || cached.Work != workStamp;
        var reloadLinks = cached is null || cached.Links != linksStamp;
        var allActivities = reloadWork ? load.Query<Activity>().Where(a => a.OutcomeId == outcomeId).ToList() : null;
        var allPlans = reloadWork ? load.Query<Plan>().Where(p => p.OutcomeId == outcomeId).ToList() : null;
        var allConnections = reloadLinks ? load.Query<Connection>().Where(c => c.OutcomeId == outcomeId).ToList() : null;
        await load.Execute(ct);
        var schedule = new Schedule(
            outcomeId,
            allConnections is null ? cached!.Schedule.Connections : await allConnections,
            allActivities is null ? [.. cached!.Schedule.Activities] : await allActivities,
            allPlans is null ? [.. cached!.Schedule.Plans] : await allPlans);
        cache.Set(key, new Entry(workStamp, linksStamp, schedule), Keep);
        return schedule;
    }

    private sealed record Entry((long, long, long, long) Work, (long, long) Links, Schedule Schedule);
}
