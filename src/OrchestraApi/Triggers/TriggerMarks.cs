using JasperFx.Events;
using Marten;
using OrchestraApi.Feed;
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

        // A trigger's own changes and firings are not changes of what conditions read.
        foreach (var outcome in numbered.Where(n => n.Entry.OutcomeId is not null && n.Entry.Resource != "trigger").GroupBy(n => n.Entry.OutcomeId!.Value))
        {
            tenant.Store(new TriggerMark(Guid.CreateVersion7(), outcome.Key, [.. outcome.Select(n => n.Entry.Id).TakeLast(TriggerRules.MaxPositions)]));
        }
    }
}
