using System.Text.Json.Serialization;
using Marten;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>Which side acts: needed only when the key holds both sides' disciplines (or is an admin).</summary>
/// <param name="Discipline">The side's discipline.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AcknowledgeConnectionRequest(Discipline? Discipline = null) : IHasExample<AcknowledgeConnectionRequest>
{
    public static AcknowledgeConnectionRequest Example => new(Kernel.Discipline.Crm);
}

/// <summary>A side acknowledges the connection once; with both sides it is agreed.</summary>
public sealed record AcknowledgeConnection(Guid OutcomeId, Guid ConnectionId, long ExpectedVersion, Discipline? Discipline, Caller Caller)
    : IConnectionChange, ICommand<ConnectionDetails>
{
    public IConnectionEvent Decide(Schedule schedule, Outcome outcome, Connection connection, DateTimeOffset now) =>
        ConnectionRules.Acknowledge(schedule, connection, Caller, Discipline, now);

    public sealed class Handler(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : ConnectionChangeHandler<AcknowledgeConnection>(session, schedules, clock);
}
