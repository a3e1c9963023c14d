using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>A customer-centred business result to pursue across all disciplines.</summary>
/// <param name="Title">What the outcome is, in a line.</param>
/// <param name="Description">Why it matters and for whom.</param>
/// <param name="Conductor">The person who owns the outcome and defines the connections between disciplines.</param>
/// <param name="Segments">The customer segments it serves, by name (at most 20).</param>
/// <param name="SegmentIds">The organisation's segments (with CLV and equity) it serves, by id (at most 20).</param>
/// <param name="StartsOn">First day of the outcome's window.</param>
/// <param name="EndsOn">Last day of the window; after startsOn.</param>
/// <param name="Budget">The outcome's total budget.</param>
/// <param name="Kpis">Initial KPIs (at most 20); more can be added while it is open.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DefineOutcomeRequest(
    [property: Required, StringLength(200, MinimumLength = 1)] string Title,
    [property: Required, StringLength(200, MinimumLength = 1)] string Conductor,
    DateOnly StartsOn,
    DateOnly EndsOn,
    [property: Required] Money Budget,
    [property: StringLength(4000)] string? Description = null,
    [property: MaxLength(20), ItemsLength(100)] IReadOnlyList<string>? Segments = null,
    [property: MaxLength(OutcomeRules.MaxKpis)] IReadOnlyList<KpiDefinition>? Kpis = null,
    [property: MaxLength(20)] IReadOnlyList<Guid>? SegmentIds = null)
    : IHasExample<DefineOutcomeRequest>
{
    public static DefineOutcomeRequest Example => new(
        "Grow loyalty-member lifetime value",
        "Ada Lovelace",
        new DateOnly(2027, 1, 1),
        new DateOnly(2027, 12, 31),
        new Money(1_250_000m, "EUR"),
        "Lift the lifetime value of loyalty members by making every discipline speak to them as one brand.",
        ["loyalty members", "lapsed customers"],
        [new KpiDefinition("clv", "Customer lifetime value", "EUR", 420m, 500m, KpiDirection.Up)]);
}

public sealed record DefineOutcome(DefineOutcomeRequest Request, string By, [property: JsonIgnore] string? IdempotencyKey)
    : IIdempotentCommand<OutcomeDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<DefineOutcome, OutcomeDetails>
    {
        public async Task<OutcomeDetails> Handle(DefineOutcome command, CancellationToken cancellationToken)
        {
            await KpiSegments.EnsureExistAsync(session, command.Request.Kpis ?? [], i => $"kpis[{i}].segmentId", cancellationToken);
            await KpiSegments.EnsureExistAsync(session, command.Request.SegmentIds ?? [], i => $"segmentIds[{i}]", cancellationToken);
            var id = Guid.CreateVersion7();
            var events = OutcomeRules.Define(id, command.Request, command.By, clock.GetUtcNow());
            session.Events.StartStream<Outcome>(id, events);
            // The outcome's connection graph starts with it, so defining a connection always has a stream to lock.
            session.Events.StartStream<Connections.ConnectionGraph>(Connections.ConnectionGraph.IdOf(id), new Connections.ConnectionGraphOpened(id));
            session.Events.StartStream<Results.OutcomeResults>(Results.OutcomeResults.IdOf(id), new Results.ResultsOpened(id));
            var outcome = events.Skip(1).Aggregate(Outcome.Start((OutcomeDefined)events[0]), (o, e) => o.Evolve(e));
            return OutcomeDetails.From(outcome, events.Length);
        }
    }
}
