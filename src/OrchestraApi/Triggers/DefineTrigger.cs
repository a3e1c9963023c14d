using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Triggers;

/// <summary>A new trigger.</summary>
/// <param name="Name">What it is called (1–200 characters).</param>
/// <param name="Description">What it is for (up to 1,000 characters).</param>
/// <param name="Condition">What it watches for: a kind and that kind's parameters.</param>
/// <param name="Scope">Which outcomes, disciplines and channels it watches; omitted: all. A conductor's trigger must name its outcomes.</param>
/// <param name="Rearm">When it may fire again for a subject; omitted: once until the condition clears.</param>
/// <param name="Enabled">Whether it is evaluated from now on; omitted: true.</param>
/// <param name="Actions">What it does when it fires besides notifying (every firing is an `orchestra.trigger.fired.v1` event): `openTask` opens a task for a role or discipline; omitted: notify only.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DefineTriggerRequest(
    [property: Required, StringLength(TriggerRules.MaxName, MinimumLength = 1)] string Name,
    [property: Required] TriggerCondition Condition,
    [property: StringLength(TriggerRules.MaxDescription)] string? Description = null,
    TriggerScope? Scope = null,
    TriggerRearm? Rearm = null,
    bool? Enabled = null,
    TriggerActions? Actions = null)
    : IHasExample<DefineTriggerRequest>
{
    public static DefineTriggerRequest Example => new(
        "Pipeline falling behind", TriggerCondition.Example, "Tell the CRM team when the pipeline KPI slips 10 points behind pace.");
}

public sealed record DefineTrigger(DefineTriggerRequest Request, Caller Caller, [property: JsonIgnore] string? IdempotencyKey) : IIdempotentCommand<TriggerDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<DefineTrigger, TriggerDetails>
    {
        public async Task<TriggerDetails> Handle(DefineTrigger command, CancellationToken cancellationToken)
        {
            var r = command.Request;
            var condition = await TriggerRules.CheckedAsync(session, r.Condition, cancellationToken);
            var scope = await TriggerRules.ScopeAsync(session, r.Scope ?? TriggerScope.All, command.Caller, cancellationToken);
            var rearm = (r.Rearm ?? TriggerRearm.Default).Checked();
            if (await session.Query<Trigger>().CountAsync(cancellationToken) >= TriggerRules.MaxTriggers)
            {
                throw new RuleViolationException("trigger-limit", $"An organisation has at most {TriggerRules.MaxTriggers} triggers: revise or disable one.");
            }

            var defined = new TriggerDefined(
                Guid.CreateVersion7(), TriggerRules.Text(r.Name, "name"), r.Description is null ? null : TriggerRules.Text(r.Description, "description"), condition, scope, rearm, r.Enabled ?? true,
                command.Caller.Name, clock.GetUtcNow(), (r.Actions ?? TriggerActions.NotifyOnly).Checked());
            session.Events.StartStream<Trigger>(defined.TriggerId, defined);
            return TriggerDetails.Of(Trigger.Start(defined), 1);
        }
    }
}
