using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>What the conductor changes in a connection; omitted fields stay. Its kind and sides stay as defined.</summary>
/// <param name="Rationale">Why the disciplines must connect here, as given.</param>
/// <param name="LagDays">Days between the upstream's end and the downstream's start (negative: overlap).</param>
/// <param name="Artefact">A hand-off's artefact: what is handed over.</param>
/// <param name="Message">A shared message: the brand message both sides carry.</param>
/// <param name="Audience">A shared audience: the audience or segment both sides target.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviseConnectionRequest(
    [property: StringLength(200, MinimumLength = 1)] string? Title = null,
    [property: StringLength(4000)] string? Rationale = null,
    [property: Range(ConnectionRules.MinLagDays, ConnectionRules.MaxLagDays)] int? LagDays = null,
    [property: StringLength(200, MinimumLength = 1)] string? Artefact = null,
    DateOnly? DueOn = null,
    [property: StringLength(1000, MinimumLength = 1)] string? Message = null,
    [property: StringLength(500, MinimumLength = 1)] string? Audience = null)
    : IHasExample<ReviseConnectionRequest>
{
    public static ReviseConnectionRequest Example => new(LagDays: 14, Rationale: "The TV burst needs two weeks to build reach before emails land.");
}

/// <summary>The conductor revises a live connection (after a contest, typically): both sides acknowledge it anew.</summary>
public sealed record ReviseConnection(Guid OutcomeId, Guid ConnectionId, long ExpectedVersion, ReviseConnectionRequest Request, string By)
    : IConnectionChange, ICommand<ConnectionDetails>
{
    public IConnectionEvent Decide(Schedule schedule, Outcome outcome, Connection connection, DateTimeOffset now) =>
        ConnectionRules.Revise(schedule, outcome, connection, Request, By, now);

    public sealed class Handler(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : ConnectionChangeHandler<ReviseConnection>(session, schedules, clock);
}
