using System.ComponentModel.DataAnnotations;
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
/// <param name="Target">The KPI's value to reach.</param>
/// <param name="Current">Its latest value (observed, or derived from results or a segment); null when there is none yet.</param>
/// <param name="Observations">How many observations were recorded.</param>
/// <param name="Progress">(current − baseline) / (target − baseline), as is: below 0 when it moved the wrong way, above 1 beyond the target.</param>
/// <param name="DisplayProgress">Progress clamped to 0..1, for a gauge.</param>
/// <param name="Trend">Observed KPIs: the latest observation against the one before, in the KPI's direction.</param>
/// <param name="Elapsed">The share of the outcome's window that has passed, 0..1.</param>
/// <param name="Pace">Progress against the elapsed share of the window.</param>
public sealed record KpiStanding(
    [property: MaxLength(200)] string Key, [property: MaxLength(200)] string Name, [property: MaxLength(50)] string Unit, KpiDirection Direction, KpiSource Source, decimal Baseline, decimal Target, decimal? Current, long Observations,
    decimal? Progress, decimal? DisplayProgress, KpiTrend Trend, decimal Elapsed, KpiPace Pace);

public sealed record KpiProgress(Guid OutcomeId, DateOnly Today, [property: MaxLength(OutcomeRules.MaxKpis)] IReadOnlyList<KpiStanding> Kpis);

public sealed record GetKpiProgress(Guid OutcomeId) : IRequest<KpiProgress>
{
    public sealed class Handler(IQuerySession session, TimeProvider clock) : IRequestHandler<GetKpiProgress, KpiProgress>
    {
        public async Task<KpiProgress> Handle(GetKpiProgress query, CancellationToken cancellationToken)
        {
            var batch = session.CreateBatchQuery();
            var outcomeTask = batch.Load<Outcome>(query.OutcomeId);
            var resultsTask = batch.Load<OutcomeResults>(OutcomeResults.IdOf(query.OutcomeId));
            var policyTask = batch.Load<Status.StatusPolicy>(Status.StatusPolicy.IdOf(session.TenantId));
            await batch.Execute(cancellationToken);
            var tolerance = (await policyTask ?? Status.StatusPolicy.Default).PaceTolerance;
            var outcome = await outcomeTask ?? throw Outcome.NotFound(query.OutcomeId);
            var results = await resultsTask;
            var segmentIds = outcome.Kpis.Where(k => k.SegmentId is not null).Select(k => k.SegmentId!.Value).Distinct().ToList();
            var segments = segmentIds.Count == 0 ? new Dictionary<Guid, Segment>() : (await session.LoadManyAsync<Segment>(cancellationToken, segmentIds)).ToDictionary(s => s.Id);
            var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
            return new KpiProgress(outcome.Id, today, [.. outcome.Kpis.Select(k => KpiRules.Standing(k, outcome, results, segments, today, tolerance))]);
        }
    }
}
