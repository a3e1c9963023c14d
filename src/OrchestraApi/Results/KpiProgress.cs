using Marten;
using MediatR;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;
using OrchestraApi.Segments;

namespace OrchestraApi.Results;

public enum KpiTrend
{
    /// <summary>Fewer than two observations, or a derived KPI.</summary>
    Unknown,

    Improving,
    Flat,
    Worsening,
}

public enum KpiPace
{
    /// <summary>No current value yet.</summary>
    Unknown,

    /// <summary>The outcome's window has not begun.</summary>
    NotStarted,

    /// <summary>Progress is more than 5 points ahead of the share of the window elapsed.</summary>
    Ahead,

    OnPace,

    /// <summary>Progress is more than 5 points behind the share of the window elapsed.</summary>
    Behind,
}

/// <summary>Where a KPI stands.</summary>
/// <param name="Current">Its latest value (observed, or derived from results or a segment); null when there is none yet.</param>
/// <param name="Progress">(current − baseline) / (target − baseline), as is: below 0 when it moved the wrong way, above 1 beyond the target.</param>
/// <param name="DisplayProgress">Progress clamped to 0..1, for a gauge.</param>
/// <param name="Trend">Observed KPIs: the latest observation against the one before, in the KPI's direction.</param>
/// <param name="Elapsed">The share of the outcome's window that has passed, 0..1.</param>
/// <param name="Pace">Progress against the elapsed share of the window.</param>
public sealed record KpiStanding(
    string Key, string Name, string Unit, KpiDirection Direction, KpiSource Source, decimal Baseline, decimal Target, decimal? Current, long Observations,
    decimal? Progress, decimal? DisplayProgress, KpiTrend Trend, decimal Elapsed, KpiPace Pace);

public sealed record KpiProgress(Guid OutcomeId, DateOnly Today, IReadOnlyList<KpiStanding> Kpis);

public sealed record GetKpiProgress(Guid OutcomeId) : IRequest<KpiProgress>
{
    /// <summary>How far progress may be from the elapsed share of the window and still be on pace.</summary>
    public const decimal PaceTolerance = 0.05m;

    public sealed class Handler(IQuerySession session, TimeProvider clock) : IRequestHandler<GetKpiProgress, KpiProgress>
    {
        public async Task<KpiProgress> Handle(GetKpiProgress query, CancellationToken cancellationToken)
        {
            var batch = session.CreateBatchQuery();
            var outcomeTask = batch.Load<Outcome>(query.OutcomeId);
            var resultsTask = batch.Load<OutcomeResults>(OutcomeResults.IdOf(query.OutcomeId));
            await batch.Execute(cancellationToken);
            var outcome = await outcomeTask ?? throw new NotFoundException($"Outcome {query.OutcomeId} was not found.");
            var results = await resultsTask;
            var segmentIds = outcome.Kpis.Where(k => k.SegmentId is not null).Select(k => k.SegmentId!.Value).Distinct().ToList();
            var segments = segmentIds.Count == 0 ? new Dictionary<Guid, Segment>() : (await session.LoadManyAsync<Segment>(cancellationToken, segmentIds)).ToDictionary(s => s.Id);
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            return new KpiProgress(outcome.Id, today, [.. outcome.Kpis.Select(k => Standing(k, outcome, results, segments, today))]);
        }
    }

    public static KpiStanding Standing(Kpi kpi, Outcome outcome, OutcomeResults? results, IReadOnlyDictionary<Guid, Segment> segments, DateOnly today)
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
            : p > elapsed + PaceTolerance ? KpiPace.Ahead
            : p < elapsed - PaceTolerance ? KpiPace.Behind
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
