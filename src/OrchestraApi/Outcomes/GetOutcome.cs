using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>An outcome as clients see it; <c>version</c> is also the ETag to send back as If-Match.</summary>
/// <param name="Description">What it is about, in a few sentences.</param>
/// <param name="Conductor">The conductor who owns the outcome.</param>
/// <param name="Segments">The customer segments it serves.</param>
/// <param name="SegmentIds">The customer segments it serves.</param>
/// <param name="ClosingReason">Why it was closed or cancelled; null while open.</param>
public sealed record OutcomeDetails(
    Guid Id,
    long Version,
    [property: MaxLength(200)] string Title,
    [property: MaxLength(4000)] string Description,
    [property: MaxLength(200)] string Conductor,
    [property: MaxLength(20), ItemsLength(100)] IReadOnlyList<string> Segments,
    [property: MaxLength(20)] IReadOnlyList<Guid> SegmentIds,
    DateOnly StartsOn,
    DateOnly EndsOn,
    Money Budget,
    [property: MaxLength(OutcomeRules.MaxKpis)] IReadOnlyList<Kpi> Kpis,
    OutcomeStatus Status,
    [property: MaxLength(2000)] string? ClosingReason,
    DateTimeOffset DefinedAt,
    DateTimeOffset UpdatedAt) : IVersioned
{

    public static OutcomeDetails From(Outcome o, long version) => new(
        o.Id, version, o.Title, o.Description, o.Conductor, o.Segments, o.SegmentIds, o.StartsOn, o.EndsOn, o.Budget, o.Kpis, o.Status, o.ClosingReason, o.DefinedAt, o.UpdatedAt);
}

public sealed record GetOutcome(Guid OutcomeId) : IRequest<OutcomeDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetOutcome, OutcomeDetails>
    {
        public async Task<OutcomeDetails> Handle(GetOutcome query, CancellationToken cancellationToken)
        {
            var outcome = await session.LoadAsync<Outcome>(query.OutcomeId, cancellationToken)
                ?? throw Outcome.NotFound(query.OutcomeId);
            return OutcomeDetails.From(outcome, outcome.Version);
        }
    }
}
