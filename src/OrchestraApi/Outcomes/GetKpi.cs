using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>One KPI of an outcome, by its key (the Location of an added KPI).</summary>
public sealed record GetKpi(Guid OutcomeId, string Key) : IRequest<Kpi>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetKpi, Kpi>
    {
        public async Task<Kpi> Handle(GetKpi query, CancellationToken cancellationToken)
        {
            var outcome = await session.LoadAsync<Outcome>(query.OutcomeId, cancellationToken)
                ?? throw Outcome.NotFound(query.OutcomeId);
            return outcome.Kpis.FirstOrDefault(k => k.Key == query.Key)
                ?? throw new NotFoundException($"Outcome {query.OutcomeId} has no KPI '{query.Key}'.");
        }
    }
}
