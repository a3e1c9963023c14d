using Marten;
using MediatR;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Baselines;

public sealed record GetBaseline(Guid OutcomeId, Guid BaselineId) : IRequest<BaselineDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetBaseline, BaselineDetails>
    {
        public async Task<BaselineDetails> Handle(GetBaseline query, CancellationToken cancellationToken) =>
            BaselineDetails.Of(await LoadAsync(session, query.OutcomeId, query.BaselineId, cancellationToken));
    }

    /// <summary>The baseline, if it is this outcome's in this organisation (else 404).</summary>
    public static async Task<Baseline> LoadAsync(IQuerySession session, Guid outcomeId, Guid baselineId, CancellationToken ct) =>
        await session.LoadAsync<Baseline>(baselineId, ct) is { } b && b.OutcomeId == outcomeId
            ? b
            : throw new NotFoundException($"Baseline {baselineId} of outcome {outcomeId} was not found.");
}

public sealed record ListBaselines(Guid OutcomeId, PageRequest Page) : IRequest<Page<BaselineDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListBaselines, Page<BaselineDetails>>
    {
        public async Task<Page<BaselineDetails>> Handle(ListBaselines query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            if (!await session.Query<Outcomes.Outcome>().AnyAsync(o => o.Id == query.OutcomeId, cancellationToken))
            {
                throw Outcome.NotFound(query.OutcomeId);
            }

            return await page.ReadAsync(session.Query<Baseline>().Where(b => b.OutcomeId == query.OutcomeId), b => b.Id, BaselineDetails.Of, cancellationToken);
        }
    }
}
