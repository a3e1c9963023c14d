using JasperFx.Events;
using Marten;

namespace OrchestraApi.Status;

/// <summary>
/// The outcome an event belongs to, as a Marten event tag: every <see cref="IOutcomeEvent"/> is tagged as it is
/// appended (a row of <c>mt_event_tag_outcome</c>, keyed by outcome and sequence), so the events of one outcome — of
/// its own stream, its plans', activities', connection graph's and results' — are read by one index range, in
/// commit order (decision 21).
/// </summary>
public sealed record OutcomeTag(Guid Value)
{
    public const string Table = "outcome";

    /// <summary>Registers the tag and the rule that derives it from every outcome event.</summary>
    public static void Register(StoreOptions marten)
    {
        marten.Events.RegisterTagType<OutcomeTag, Guid>(t => t.Value, Table);
        marten.Events.TagWith<IOutcomeEvent>(e => new OutcomeTag(e.OutcomeId));
    }

    /// <summary>
    /// The outcome's events committed up to <paramref name="at"/>, in commit order: their positions are one range of the
    /// tag table's key (outcome, organisation, sequence), then the events are read by those positions. (Marten's LINQ
    /// <c>HasTag</c> asks it in one statement, with a subquery correlated on the organisation that PostgreSQL 15 runs
    /// once per event of the organisation; its tag query needs a writing session and cannot stop at a moment.)
    /// </summary>
    public static async Task<IReadOnlyList<IEvent>> EventsAsync(IQuerySession session, Guid outcomeId, DateTimeOffset at, CancellationToken ct)
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        var positions = (await session.QueryAsync<long>(
            $"select t.seq_id from {schema}.mt_event_tag_{Table} t join {schema}.mt_events e on e.seq_id = t.seq_id where t.value = ? and t.tenant_id = ? and e.timestamp <= ?",
            ct, outcomeId, session.TenantId, at)).ToArray();
        return positions.Length == 0 ? [] : await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence.IsOneOf(positions))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
    }
}
