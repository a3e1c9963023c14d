using MediatR;
using Microsoft.Extensions.Options;
using OrchestraApi.Platform;

namespace OrchestraApi.Maturity;

/// <param name="AsOf">A past moment to assess (null: now).</param>
public sealed record GetMaturity(DateTimeOffset? AsOf = null) : IRequest<MaturityReport>
{
    public sealed class Handler(MaturityHistory history, IOptions<MaturitySettings> settings, TimeProvider clock) : IRequestHandler<GetMaturity, MaturityReport>
    {
        public async Task<MaturityReport> Handle(GetMaturity query, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var at = query.AsOf ?? now;
            if (at > now)
            {
                throw new InvalidInputException("asOf", "must not be in the future.");
            }

            // The trend: the start of each of the 12 months before the one `at` falls in (the state at the end of each month), then `at`.
            var month = new DateTimeOffset(at.UtcDateTime.Year, at.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);
            List<DateTimeOffset> moments = [.. Enumerable.Range(0, MaturityRules.TrendMonths).Select(i => month.AddMonths(i - MaturityRules.TrendMonths + 1)), at];
            var assessed = await history.AssessAsync(moments, e => MaturityRules.Assess(e, settings.Value), cancellationToken);
            var (stage, criteria) = assessed[^1];
            MaturityStage? next = stage == MaturityStage.RelationshipDriven ? null : stage + 1;
            return new MaturityReport(
                at, stage, criteria,
                next is { } n ? new MaturityNext(n, [.. criteria.Where(c => c.Stage == n && !c.Met).Select(c => c.Explanation)]) : null,
                [.. moments.Take(MaturityRules.TrendMonths).Zip(assessed).Select(x => new MaturityTrendPoint(x.First, x.Second.Stage, x.Second.Criteria.Count(c => c.Met)))]);
        }
    }
}
