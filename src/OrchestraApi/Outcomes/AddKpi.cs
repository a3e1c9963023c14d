using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>A KPI to track. Favour customer measures (lifetime value, retention, customer equity) over share measures.</summary>
/// <param name="Key">Unique within the outcome: lowercase letters, digits, '-', '_' or '.', up to 64 characters.</param>
/// <param name="Name">What is measured.</param>
/// <param name="Unit">The unit of baseline and target (EUR, %, customers…).</param>
/// <param name="Baseline">Where the measure stands at the start.</param>
/// <param name="Target">Where it must get to: above the baseline when direction is up, below when down.</param>
/// <param name="Direction">Which way is better.</param>
/// <param name="Source">Observed (default), or derived from the outcome's results (Conversions, Revenue, Responses, Roi) or a segment (SegmentClv, SegmentEquity).</param>
/// <param name="SegmentId">Required for SegmentClv and SegmentEquity: the segment the KPI follows.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record KpiDefinition(
    // MaxLength: the contract has said 200 since v1; the pattern, checked first, allows 64.
    [property: Required, RegularExpression(Kpi.KeyPattern, ErrorMessage = "must be 1-64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit."), MaxLength(200)] string Key,
    [property: Required, StringLength(200, MinimumLength = 1)] string Name,
    [property: Required, StringLength(50, MinimumLength = 1)] string Unit,
    [property: Range(typeof(decimal), "-1000000000000", "1000000000000")] decimal Baseline,
    [property: Range(typeof(decimal), "-1000000000000", "1000000000000")] decimal Target,
    KpiDirection Direction,
    KpiSource? Source = null,
    Guid? SegmentId = null)
    : IHasExample<KpiDefinition>
{
    public static KpiDefinition Example => new("retention", "12-month retention of loyalty members", "%", 61m, 70m, KpiDirection.Up);

    public Kpi ToKpi() => new(Key, Name.Trim(), Unit.Trim(), Baseline, Target, Direction, Source ?? KpiSource.Observed, SegmentId);
}

public sealed record AddKpi(Guid OutcomeId, long ExpectedVersion, KpiDefinition Kpi, string By, [property: JsonIgnore] string? IdempotencyKey = null) : IIdempotentCommand<OutcomeDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<AddKpi, OutcomeDetails>
    {
        public async Task<OutcomeDetails> Handle(AddKpi command, CancellationToken cancellationToken)
        {
            await KpiSegments.EnsureExistAsync(session, [command.Kpi], _ => "segmentId", cancellationToken);
            var (outcome, version) = await session.DecideAsync<Outcome>(
                command.OutcomeId, command.ExpectedVersion, o => [OutcomeRules.AddKpi(o, command.Kpi, command.By, clock.GetUtcNow())], (o, e) => o.Evolve(e), cancellationToken);
            return OutcomeDetails.From(outcome, version);
        }
    }
}
