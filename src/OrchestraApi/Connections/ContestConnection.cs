using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>Why a side contests the connection.</summary>
/// <param name="Reason">What does not work for this side.</param>
/// <param name="Discipline">The side's discipline, when the key holds both.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ContestConnectionRequest([property: Required, StringLength(2000, MinimumLength = 1)] string Reason, Discipline? Discipline = null)
    : IHasExample<ContestConnectionRequest>
{
    public static ContestConnectionRequest Example => new("The emails are ready two weeks before the TV burst ends; a 7-day lag wastes them.");
}

/// <summary>A side contests the connection: it goes back to the conductor, acknowledgements reset.</summary>
public sealed record ContestConnection(Guid OutcomeId, Guid ConnectionId, long ExpectedVersion, ContestConnectionRequest Request, Caller Caller)
    : IConnectionChange, ICommand<ConnectionDetails>
{
    public IConnectionEvent Decide(Schedule schedule, Outcome outcome, Connection connection, DateTimeOffset now) =>
        ConnectionRules.Contest(schedule, connection, Caller, Request.Discipline, Request.Reason, now);

    public sealed class Handler(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : ConnectionChangeHandler<ContestConnection>(session, schedules, clock);
}
