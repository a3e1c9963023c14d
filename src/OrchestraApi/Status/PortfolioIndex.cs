using Marten;
using OrchestraApi.Connections;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>
/// Each organisation's outcomes with their RAG and headline figures, in memory (decision 20). An outcome's item is
/// recomputed from its streams — never from a projection fed by several of them — when a command commits a change to
/// it (<see cref="OutcomeChanges"/>), when its day has passed (KPI pace moves with the calendar) or when an
/// acknowledgement falls due. A read first recomputes what is marked, so it always shows the reader's own writes.
/// Another node's commits reach it the same way (their NOTIFY). At most <c>Orchestra:Portfolio:MaxOrganisations</c>
/// organisations (default 1,000) are held: beyond, the one read least recently is dropped, and loaded afresh when it
/// is read again.
/// </summary>
public sealed class PortfolioIndex
{
    public const int DefaultMaxOrganisations = 1_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Organisation> _organisations = new();
    private readonly int _maxOrganisations;

    public PortfolioIndex(OutcomeChanges changes, IConfiguration configuration)
    {
        _maxOrganisations = Math.Max(1, configuration.GetValue("Orchestra:Portfolio:MaxOrganisations", DefaultMaxOrganisations));
        changes.Listen((tenant, outcomeId) =>
        {
            foreach (var organisation in tenant is null ? _organisations.Values : _organisations.TryGetValue(tenant, out var one) ? [one] : [])
            {
                organisation.Mark(outcomeId);
            }
        });
    }

    /// <summary>How many organisations are held now (at most the configured cap, once a read has evicted).</summary>
    public int Held => _organisations.Count;

    /// <summary>Every outcome of the session's organisation, each as of its last change, in <paramref name="order"/> (its sort key with it).</summary>
    public async Task<IReadOnlyList<(string Key, PortfolioItem Item)>> ItemsAsync(IQuerySession session, ScheduleCache schedules, PortfolioOrder order, DateTimeOffset now, CancellationToken ct)
    {
        var added = false;
        var organisation = _organisations.GetOrAdd(session.TenantId, _ =>
        {
            added = true;
            return new Organisation();
        });
        organisation.LastRead = Environment.TickCount64;
        if (added)
        {
            // Only a newcomer can take the count past the cap: reads of held organisations skip the walk.
            EvictBeyondCap(session.TenantId);
        }

        await organisation.Gate.WaitAsync(ct);
        try
        {
            if (!organisation.Loaded)
            {
                var ids = await session.Query<Outcome>().Select(o => o.Id).ToListAsync(ct);
                foreach (var id in ids)
                {
                    organisation.Mark(id);
                }

                organisation.Loaded = true;
            }

            var due = organisation.TakeMarked();
            due.UnionWith(organisation.Items.Values.Where(i => now >= i.RecheckAt).Select(i => i.Item.OutcomeId));
            if (due.Count > 0)
            {
                organisation.Sorted.Clear();
            }

            foreach (var id in due)
            {
                try
                {
                    var inputs = await StatusInputs.NowAsync(session, schedules, id, now, ct);
                    organisation.Items[id] = new Entry(PortfolioItem.Of(inputs.Outcome, inputs.Report()), inputs.ChangesWithTimeAt());
                }
                catch (NotFoundException)
                {
                    organisation.Items.Remove(id);
                }
            }

            // Sorted once per order until something changes: a page is then a walk from the cursor, not a sort.
            if (!organisation.Sorted.TryGetValue(order, out var sorted))
            {
                organisation.Sorted[order] = sorted = [.. organisation.Items.Values
                    .Select(e => (Key: e.Item.SortKey(order), e.Item))
                    .OrderBy(x => x.Key, StringComparer.Ordinal).ThenBy(x => x.Item.OutcomeId)];
            }

            return sorted;
        }
        finally
        {
            organisation.Gate.Release();
        }
    }

    /// <summary>Drops the organisations read least recently until the cap holds (never the one being read).</summary>
    private void EvictBeyondCap(string reading)
    {
        while (_organisations.Count > _maxOrganisations)
        {
            var oldest = _organisations.Where(o => o.Key != reading).OrderBy(o => o.Value.LastRead).Select(o => o.Key).FirstOrDefault();
            if (oldest is null || !_organisations.TryRemove(oldest, out _))
            {
                return;
            }
        }
    }

    private sealed record Entry(PortfolioItem Item, DateTimeOffset RecheckAt);

    private sealed class Organisation
    {
        private readonly Lock _marking = new();
        private HashSet<Guid> _marked = [];
        private bool _all;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>When it was last read (<see cref="Environment.TickCount64"/>): the least recent is evicted first.</summary>
        public long LastRead { get; set; }

        public bool Loaded { get; set; }

        public Dictionary<Guid, Entry> Items { get; } = [];

        public Dictionary<PortfolioOrder, (string Key, PortfolioItem Item)[]> Sorted { get; } = [];

        public void Mark(Guid? outcomeId)
        {
            lock (_marking)
            {
                if (outcomeId is { } id)
                {
                    _marked.Add(id);
                }
                else
                {
                    _all = true;
                }
            }
        }

        /// <summary>What was marked since the last read; marks made while it is recomputed wait for the next.</summary>
        public HashSet<Guid> TakeMarked()
        {
            lock (_marking)
            {
                var taken = _marked;
                if (_all)
                {
                    taken.UnionWith(Items.Keys);
                    _all = false;
                }

                _marked = [];
                return taken;
            }
        }
    }
}
