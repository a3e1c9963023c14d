using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>One side of a new connection: a plan of the outcome, or one of its activities.</summary>
/// <param name="PlanId">The plan (or pilot).</param>
/// <param name="ActivityId">One activity of that plan; omit it to connect the whole plan.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ConnectionSide(Guid PlanId, Guid? ActivityId = null);

/// <summary>A connection between the work of two different disciplines of one outcome.</summary>
/// <param name="Kind">Dependency, Handoff, SharedMessage or SharedAudience.</param>
/// <param name="Title">The connection in a line.</param>
/// <param name="From">For a dependency the upstream, for a hand-off the delivering side.</param>
/// <param name="To">For a dependency the downstream, for a hand-off the receiving side; another discipline than `from`.</param>
/// <param name="Rationale">Why the disciplines must connect here.</param>
/// <param name="LagDays">Dependency only: days between the upstream's end and the downstream's start, -90 to 365 (negative: overlap). Default 0.</param>
/// <param name="Artefact">Hand-off only (required): what is handed over.</param>
/// <param name="DueOn">Hand-off only (required): when, inside the outcome's window.</param>
/// <param name="Message">Shared message only (required): the brand message both sides carry.</param>
/// <param name="Audience">Shared audience only (required): the audience or segment both sides target.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DefineConnectionRequest(
    ConnectionKind Kind,
    [property: Required, StringLength(200, MinimumLength = 1)] string Title,
    [property: Required] ConnectionSide From,
    [property: Required] ConnectionSide To,
    [property: StringLength(4000)] string? Rationale = null,
    [property: Range(ConnectionRules.MinLagDays, ConnectionRules.MaxLagDays)] int? LagDays = null,
    [property: StringLength(200, MinimumLength = 1)] string? Artefact = null,
    DateOnly? DueOn = null,
    [property: StringLength(1000, MinimumLength = 1)] string? Message = null,
    [property: StringLength(500, MinimumLength = 1)] string? Audience = null)
    : IHasExample<DefineConnectionRequest>, IHasIdsFromOtherCalls
{
    public static string IdsFrom => "Each side's `planId` is the `id` that \"Draft a plan or pilot\" answered and its `activityId` the `id` that \"Schedule an activity\" answered, in plans of two disciplines of this outcome. The example's are those of this document's example answers, not of your data: sent as they are, they are refused (400 or 404).";

    public static DefineConnectionRequest Example => new(
        ConnectionKind.Dependency, "Win-back emails follow the TV burst", new ConnectionSide(ContractExamples.Ids.AdvertisingPlan, ContractExamples.Ids.AdvertisingActivity),
        new ConnectionSide(ContractExamples.Ids.Plan, ContractExamples.Ids.Activity),
        "Lapsed members respond to email only after they have seen the campaign.", LagDays: 7);
}

public sealed record DefineConnection(Guid OutcomeId, DefineConnectionRequest Request, string By, [property: JsonIgnore] string? IdempotencyKey)
    : IIdempotentCommand<ConnectionDetails>
{
    public sealed class Handler(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<DefineConnection, ConnectionDetails>
    {
        public async Task<ConnectionDetails> Handle(DefineConnection command, CancellationToken cancellationToken)
        {
            var outcome = await session.OutcomeAsync(command.OutcomeId, cancellationToken);
            // The graph is locked before it is read: definitions of one outcome run one at a time, so no two can close
            // a cycle together.
            var stream = await session.LockAsync<ConnectionGraph>(ConnectionGraph.IdOf(command.OutcomeId), cancellationToken);
            var schedule = await Schedule.LoadAsync(session, command.OutcomeId, schedules, cancellationToken)
                ?? throw Outcome.NotFound(command.OutcomeId);
            var defined = ConnectionRules.Define(schedule, outcome, Guid.CreateVersion7(), command.Request, command.By, clock.GetUtcNow());
            stream.AppendOne(defined);
            var connection = Connection.Start(defined);
            return ConnectionDetails.Of(schedule.With(connection), connection);
        }
    }
}
