using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>New values for an open outcome; omitted fields keep their value.</summary>
/// <param name="Description">What it is about, in a few sentences.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviseOutcomeRequest(
    [property: StringLength(200, MinimumLength = 1)] string? Title = null,
    [property: StringLength(4000)] string? Description = null,
    DateOnly? StartsOn = null,
    DateOnly? EndsOn = null,
    Money? Budget = null)
    : IHasExample<ReviseOutcomeRequest>
{
    public static ReviseOutcomeRequest Example => new(EndsOn: new DateOnly(2028, 3, 31), Budget: new Money(1_400_000m, "EUR"));
}

public sealed record ReviseOutcome(Guid OutcomeId, long ExpectedVersion, ReviseOutcomeRequest Request, string By) : ICommand<OutcomeDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ReviseOutcome, OutcomeDetails>
    {
        public async Task<OutcomeDetails> Handle(ReviseOutcome command, CancellationToken cancellationToken)
        {
            var (outcome, version) = await session.DecideAsync<Outcome>(
                command.OutcomeId, command.ExpectedVersion, o => [OutcomeRules.Revise(o, command.Request, command.By, clock.GetUtcNow())], (o, e) => o.Evolve(e), cancellationToken);
            return OutcomeDetails.From(outcome, version);
        }
    }
}
