using Marten;
using OrchestraApi.Platform;
using OrchestraApi.Segments;

namespace OrchestraApi.Outcomes;

internal static class KpiSegments
{
    private static readonly string[] Unknown = ["is not a segment of this organisation."];

    /// <summary>A segment KPI follows a segment of the caller's organisation; any other id is named as invalid.</summary>
    public static async Task EnsureExistAsync(IQuerySession session, IReadOnlyList<KpiDefinition> kpis, Func<int, string> field, CancellationToken ct)
    {
        var ids = kpis.Where(k => k.SegmentId is not null).Select(k => k.SegmentId!.Value).Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }

        var known = (await session.LoadManyAsync<Segment>(ct, ids)).Select(s => s.Id).ToHashSet();
        var errors = kpis.Select((k, i) => (k, i)).Where(x => x.k.SegmentId is { } id && !known.Contains(id))
            .ToDictionary(x => field(x.i), _ => Unknown);
        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }
    }
}
