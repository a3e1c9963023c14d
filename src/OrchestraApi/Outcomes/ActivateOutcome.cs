using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

public sealed record ActivateOutcome(Guid OutcomeId, long ExpectedVersion, string By) : ICommand<OutcomeDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ActivateOutcome, OutcomeDetails>
    {
        public async Task<OutcomeDetails> Handle(ActivateOutcome command, CancellationToken cancellationToken)
        {
            var (outcome, version) = await session.DecideAsync<Outcome>(
                command.OutcomeId, command.ExpectedVersion, o => [OutcomeRules.Activate(o, command.By, clock.GetUtcNow())], (o, e) => o.Evolve(e), cancellationToken);
            return OutcomeDetails.From(outcome, version);
        }
    }
}
