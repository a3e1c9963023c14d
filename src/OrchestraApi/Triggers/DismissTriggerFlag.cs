using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Triggers;

/// <summary>Why a firing's flag is dismissed.</summary>
/// <param name="Note">Why the flag no longer needs to show on the status (up to 2,000 characters).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DismissTriggerFlagRequest([property: StringLength(Tasks.TaskRules.MaxNote)] string? Note = null) : IHasExample<DismissTriggerFlagRequest>
{
    public static DismissTriggerFlagRequest Example => new("Known: the retail partner's data arrives on Mondays.");
}

/// <summary>Takes a firing's flag off its outcome's status; the firing itself stays open while its condition holds.</summary>
public sealed record DismissTriggerFlag(Guid TriggerId, Guid FiringId, long ExpectedVersion, DismissTriggerFlagRequest Request, Caller Caller) : ICommand<TriggerFiringDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<DismissTriggerFlag, TriggerFiringDetails>
    {
        public async Task<TriggerFiringDetails> Handle(DismissTriggerFlag command, CancellationToken cancellationToken)
        {
            var (firing, version) = await session.DecideAsync<TriggerFiring>(
                command.FiringId, command.ExpectedVersion, f => Decide(f, command), (f, e) => f.Evolve(e), cancellationToken);
            return TriggerFiringDetails.Of(firing) with { Version = version };
        }

        private IReadOnlyList<object> Decide(TriggerFiring f, DismissTriggerFlag command)
        {
            if (f.TriggerId != command.TriggerId)
            {
                throw GetTriggerFiring.NotFound(command.TriggerId, command.FiringId);
            }

            var state = TriggerFiringDetails.Of(f).Flag?.State;
            return state switch
            {
                null => throw new RuleViolationException("no-flag", "This firing raised no flag: its trigger has no `flag` action."),
                FlagState.Cleared => throw new RuleViolationException("flag-cleared", "The flag already left the status: the condition cleared."),
                FlagState.Dismissed => throw new RuleViolationException("flag-dismissed", $"The flag was already dismissed by {f.FlagDismissed!.By}."),
                _ => [new TriggerFlagDismissed(f.Id, f.TriggerId, f.OutcomeId, command.Request.Note is { } note ? TriggerRules.Text(note, "note") : null, command.Caller.Name, clock.GetUtcNow())],
            };
        }
    }
}
