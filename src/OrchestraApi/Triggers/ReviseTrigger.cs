using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Triggers;

/// <summary>A trigger's new definition; omitted parts stay. Its firings from now on carry the new version.</summary>
/// <param name="Name">A new name.</param>
/// <param name="Description">A new description.</param>
/// <param name="Condition">A new condition (whole: kind and parameters).</param>
/// <param name="Scope">A new scope (whole).</param>
/// <param name="Rearm">A new re-arm policy.</param>
/// <param name="Enabled">false: no longer evaluated (its open firings stay open); true: evaluated again.</param>
/// <param name="Actions">New actions (whole); `{}`: notify only.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviseTriggerRequest(
    [property: StringLength(TriggerRules.MaxName, MinimumLength = 1)] string? Name = null,
    TriggerCondition? Condition = null,
    [property: StringLength(TriggerRules.MaxDescription)] string? Description = null,
    TriggerScope? Scope = null,
    TriggerRearm? Rearm = null,
    bool? Enabled = null,
    TriggerActions? Actions = null)
    : IHasExample<ReviseTriggerRequest>
{
    public static ReviseTriggerRequest Example => new(Condition: TriggerCondition.Example with { Points = 15 });
}

public sealed record ReviseTrigger(Guid TriggerId, long ExpectedVersion, ReviseTriggerRequest Request, Caller Caller) : ICommand<TriggerDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ReviseTrigger, TriggerDetails>
    {
        public async Task<TriggerDetails> Handle(ReviseTrigger command, CancellationToken cancellationToken)
        {
            var (trigger, version) = await session.DecideAsync<Trigger>(command.TriggerId, command.ExpectedVersion, t => DecideAsync(t, command, cancellationToken), (t, e) => t.Evolve(e), cancellationToken);
            return TriggerDetails.Of(trigger, version);
        }

        private async Task<IReadOnlyList<object>> DecideAsync(Trigger t, ReviseTrigger command, CancellationToken ct)
        {
            var r = command.Request;
            if (t.Scope.OutcomeIds is not { Count: > 0 } && command.Caller.Role != Kernel.Role.Admin)
            {
                throw new ForbiddenException("This trigger watches the whole organisation: an admin's to change.");
            }

            var revised = new TriggerRevised(
                t.Id, r.Name is null ? t.Name : TriggerRules.Text(r.Name, "name"), r.Description is null ? t.Description : TriggerRules.Text(r.Description, "description"),
                r.Condition is null ? t.Condition : await TriggerRules.CheckedAsync(session, r.Condition, ct),
                r.Scope is null ? t.Scope : await TriggerRules.ScopeAsync(session, r.Scope, command.Caller, ct),
                r.Rearm is null ? t.Rearm : r.Rearm.Checked(), r.Enabled ?? t.Enabled, command.Caller.Name, clock.GetUtcNow(), r.Actions is null ? t.Actions : r.Actions.Checked());
            var unchanged = revised.Actions == t.Actions && revised.Name == t.Name && revised.Description == t.Description && revised.Condition == t.Condition && revised.Rearm == t.Rearm
                && revised.Enabled == t.Enabled && revised.Scope.OutcomeIds!.SequenceEqual(t.Scope.OutcomeIds!) && revised.Scope.Disciplines!.SequenceEqual(t.Scope.Disciplines!)
                && revised.Scope.Channels!.SequenceEqual(t.Scope.Channels!);
            return unchanged ? [] : [revised];
        }
    }
}
