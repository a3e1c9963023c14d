using Marten;
using OrchestraApi.Platform;
using OrchestraApi.Segments;

namespace OrchestraApi.Outcomes;

internal static class KpiSegments
{
    private static readonly string[] Unknown = ["is not a segment of this organisation."];

    /// <summary>A segment KPI follows a segment of the caller's organisation; any other id is named as invalid.</summary>
    public static Task EnsureExistAsync(IQuerySession session, IReadOnlyList<KpiDefinition> kpis, Func<int, string> field, CancellationToken ct) =>
        EnsureExistAsync(session, [.. kpis.Select(k => k.SegmentId)], field, ct);

    /// <summary>Every id names a segment of the caller's organisation; any other is named as invalid.</summary>
    public static Task EnsureExistAsync(IQuerySession session, IReadOnlyList<Guid> ids, Func<int, string> field, CancellationToken ct) =>
        EnsureExistAsync(session, [.. ids.Select(id => (Guid?)id)], field, ct);

    private static async Task EnsureExistAsync(IQuerySession session, IReadOnlyList<Guid?> ids, Func<int, string> field, CancellationToken ct)
    {
        var wanted = ids.OfType<Guid>().Distinct().ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        var known = (await session.LoadManyAsync<Segment>(ct, wanted)).Select(s => s.Id).ToHashSet();
        var errors = ids.Select((id, i) => (id, i)).Where(x => x.id is { } id && !known.Contains(id)).ToDictionary(x => field(x.i), _ => Unknown);
        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }
    }
}
