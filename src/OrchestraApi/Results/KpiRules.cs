using OrchestraApi.Outcomes;
using OrchestraApi.Segments;

namespace OrchestraApi.Results;

/// <summary>Where a KPI stands, pure: (the KPI, its outcome, the results, the segments, today) → progress, trend and pace.</summary>
public static class KpiRules
{
    /// <param name="tolerance">How far progress may be from the elapsed share and still be on pace (the organisation's status policy).</param>
    public static KpiStanding Standing(Kpi kpi, Outcome outcome, OutcomeResults? results, IReadOnlyDictionary<Guid, Segment> segments, DateOnly today, decimal tolerance)
    {
        var totals = results?.Outcome ?? Totals.Zero;
        var track = results?.Kpis?.GetValueOrDefault(kpi.Key) ?? KpiTrack.None;
        decimal? current = kpi.Source switch
        {
            KpiSource.Observed => track.Latest?.Value,
            KpiSource.Conversions => totals.Conversions,
            KpiSource.Revenue => totals.Revenue,
            KpiSource.Responses => totals.Responses,
            KpiSource.Roi => Ratio.Of(totals.Revenue - totals.Cost, totals.Cost, "").Value,
            KpiSource.SegmentClv => segments.GetValueOrDefault(kpi.SegmentId ?? Guid.Empty)?.Clv is { } clv ? Math.Round(clv, 2) : null,
            KpiSource.SegmentEquity => segments.GetValueOrDefault(kpi.SegmentId ?? Guid.Empty)?.Equity is { } equity ? Math.Round(equity, 2) : null,
            _ => null,
        };
        decimal? progress = current is { } value ? Math.Round((value - kpi.Baseline) / (kpi.Target - kpi.Baseline), 4) : null;
        var span = outcome.EndsOn.DayNumber - outcome.StartsOn.DayNumber + 1;
        var elapsed = Math.Clamp(Math.Round((decimal)(today.DayNumber - outcome.StartsOn.DayNumber + 1) / span, 4), 0m, 1m);
        var pace = today < outcome.StartsOn ? KpiPace.NotStarted
            : progress is not { } p ? KpiPace.Unknown
            : p > elapsed + tolerance ? KpiPace.Ahead
            : p < elapsed - tolerance ? KpiPace.Behind
            : KpiPace.OnPace;
        var trend = kpi.Source == KpiSource.Observed && track is { Latest: { } latest, Previous: { } previous }
            ? ((latest.Value - previous.Value) * (kpi.Direction == KpiDirection.Up ? 1 : -1)) switch
            {
                > 0 => KpiTrend.Improving,
                < 0 => KpiTrend.Worsening,
                _ => KpiTrend.Flat,
            }
            : KpiTrend.Unknown;
        return new KpiStanding(
            kpi.Key, kpi.Name, kpi.Unit, kpi.Direction, kpi.Source, kpi.Baseline, kpi.Target, current, track.Count, progress,
            progress is { } raw ? Math.Clamp(raw, 0m, 1m) : null, trend, elapsed, pace);
    }
}
