using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>How an outcome ended.</summary>
public enum ClosingResult
{
    Achieved,
    Missed,
    Cancelled,
}

/// <summary>Closes an outcome for good.</summary>
/// <param name="Result">achieved or missed (active outcomes only), or cancelled (draft or active).</param>
/// <param name="Reason">Why, for the record.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CloseOutcomeRequest(
    ClosingResult Result,
    [property: Required, StringLength(2000, MinimumLength = 1)] string Reason)
    : IHasExample<CloseOutcomeRequest>
{
    public static CloseOutcomeRequest Example => new(ClosingResult.Achieved, "Lifetime value reached 506 EUR in November.");
}

public sealed record CloseOutcome(Guid OutcomeId, long ExpectedVersion, CloseOutcomeRequest Request, string By) : ICommand<OutcomeDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<CloseOutcome, OutcomeDetails>
    {
        public async Task<OutcomeDetails> Handle(CloseOutcome command, CancellationToken cancellationToken)
        {
            var (outcome, version) = await session.DecideAsync<Outcome>(
                command.OutcomeId, command.ExpectedVersion, o => [OutcomeRules.Close(o, command.Request, command.By, clock.GetUtcNow())], (o, e) => o.Evolve(e), cancellationToken);
            return OutcomeDetails.From(outcome, version);
        }
    }
}
