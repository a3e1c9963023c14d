using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>An outcome as clients see it; <c>version</c> is also the ETag to send back as If-Match.</summary>
public sealed record OutcomeDetails(
    Guid Id,
    long Version,
    string Title,
    string Description,
    string Conductor,
    IReadOnlyList<string> Segments,
    IReadOnlyList<Guid> SegmentIds,
    DateOnly StartsOn,
    DateOnly EndsOn,
    Money Budget,
    IReadOnlyList<Kpi> Kpis,
    OutcomeStatus Status,
    string? ClosingReason,
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
