using JasperFx.Events;
using Marten;
using OrchestraApi.Feed;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Triggers;

/// <summary>
/// Marks, in the feed's transaction, each outcome whose changes a page numbered, for the trigger evaluator — only in
/// organisations with an enabled trigger (known per organisation, and asked again when a page holds a trigger's change).
/// </summary>
public sealed class TriggerMarks
{
    private readonly Dictionary<string, bool> _armed = [];

    public async Task EnlistAsync(IDocumentOperations tenant, IGrouping<string, IEvent> page, IReadOnlyList<(FeedEntry Entry, long Sequence)> numbered, CancellationToken ct)
    {
        if (page.Any(e => e.Data is IEventOf<Trigger>) || !_armed.TryGetValue(page.Key, out var armed))
        {
            _armed[page.Key] = armed = await tenant.Query<Trigger>().AnyAsync(t => t.Enabled, ct);
        }

        if (!armed)
        {
            return;
        }

        // Firings are not changes of what conditions read; a trigger's definition is a cause for the outcomes it names.
        var causes = numbered.Where(n => n.Entry.OutcomeId is not null && n.Entry.Resource != "trigger").Select(n => (Outcome: n.Entry.OutcomeId!.Value, Change: new MarkedChange(n.Entry.Id, n.Entry.Resource, n.Entry.StreamId, n.Entry.StreamVersion))).ToList();
        var definitions = page.Where(e => e.Data is TriggerDefined { Enabled: true } or TriggerRevised { Enabled: true }).ToDictionary(e => e.Id, e => e.Data switch
        {
            TriggerDefined d => d.Scope.OutcomeIds ?? [],
            TriggerRevised r => r.Scope.OutcomeIds ?? [],
            _ => [],
        });
        // A segment's change is a cause in each active outcome whose KPIs follow it.
        foreach (var (entry, _) in numbered.Where(n => n.Entry.Resource == "segment"))
        {
            var segment = entry.StreamId;
            var following = await tenant.Query<Outcome>().Where(o => o.Status == OutcomeStatus.Active && o.Kpis.Any(k => k.SegmentId == segment)).Select(o => o.Id).ToListAsync(ct);
            causes.AddRange(following.Select(o => (Outcome: o, Change: new MarkedChange(entry.Id, entry.Resource, entry.StreamId, entry.StreamVersion))));
        }

        causes.AddRange(numbered.Where(n => definitions.ContainsKey(n.Entry.EventId)).SelectMany(n => definitions[n.Entry.EventId].Select(o => (Outcome: o, Change: new MarkedChange(n.Entry.Id, n.Entry.Resource)))));
        foreach (var outcome in causes.GroupBy(c => c.Outcome))
        {
            var changes = outcome.Select(c => c.Change).OrderBy(c => c.Position).ToList();
            tenant.Store(new TriggerMark(Guid.CreateVersion7(), outcome.Key, changes));
            // The KPI lane's, when a change is one KPI conditions read.
            if (changes.Any(c => TriggerEvaluation.MovesKpis(c.Resource)))
            {
                tenant.Store(new TriggerMark(Guid.CreateVersion7(), outcome.Key, [.. changes.Where(c => TriggerEvaluation.MovesKpis(c.Resource))], Kpis: true));
            }
        }
    }
}
