using System.ComponentModel.DataAnnotations;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>One side of a connection as clients see it.</summary>
/// <param name="ActivityId">Null when the side is the whole plan.</param>
public sealed record ConnectionSideDetails(Guid PlanId, Guid? ActivityId, Discipline Discipline);

/// <summary>A connection with its current state; <c>version</c> is its own ETag, for its next change.</summary>
/// <param name="Kind">What kind it is.</param>
/// <param name="Rationale">Why the disciplines must connect here, as given.</param>
/// <param name="From">The upstream side: for a dependency, what must end first; for a hand-off, who delivers.</param>
/// <param name="To">The downstream side: for a dependency, what may start only after; for a hand-off, who receives.</param>
/// <param name="LagDays">Dependencies: days between the upstream's end and the downstream's start, -90 to 365 (negative: overlap); 0 for other kinds.</param>
/// <param name="Artefact">A hand-off's artefact: what is handed over.</param>
/// <param name="Message">A shared message: the brand message both sides carry.</param>
/// <param name="Audience">A shared audience: the audience or segment both sides target.</param>
/// <param name="State">Broken as soon as an activity or plan it links is cancelled (with that reason), whatever was recorded.</param>
/// <param name="StateReason">Why it is in its state (e.g. the cancellation that broke it).</param>
/// <param name="AcknowledgedBy">The sides' disciplines that acknowledged it.</param>
/// <param name="AwaitingAcknowledgementFrom">The sides' disciplines that have not acknowledged yet.</param>
/// <param name="InConflict">A live dependency whose downstream starts before its upstream ends (plus lag), or a hand-off whose artefact cannot arrive in time (a delivering activity ends after the due date, or the due date is after the first receiving activity starts); derived from the activities' current dates.</param>
/// <param name="Conflict">What the conflict is, in a sentence.</param>
/// <param name="DefinedBy">Who defined it: the name of the API key used.</param>
public sealed record ConnectionDetails(
    Guid Id,
    long Version,
    Guid OutcomeId,
    ConnectionKind Kind,
    [property: MaxLength(200)] string Title,
    [property: MaxLength(4000)] string Rationale,
    ConnectionSideDetails From,
    ConnectionSideDetails To,
    [property: Range(ConnectionRules.MinLagDays, ConnectionRules.MaxLagDays)] int LagDays,
    [property: MaxLength(200)] string? Artefact,
    DateOnly? DueOn,
    [property: MaxLength(1000)] string? Message,
    [property: MaxLength(500)] string? Audience,
    ConnectionState State,
    [property: MaxLength(2500)] string? StateReason,
    [property: MaxLength(2)] IReadOnlyList<Discipline> AcknowledgedBy,
    [property: MaxLength(2)] IReadOnlyList<Discipline> AwaitingAcknowledgementFrom,
    bool InConflict,
    [property: MaxLength(1000)] string? Conflict,
    [property: MaxLength(200)] string DefinedBy,
    DateTimeOffset DefinedAt,
    DateTimeOffset UpdatedAt) : IVersioned
{

    public static ConnectionDetails Of(Schedule schedule, Connection c)
    {
        var (state, reason) = schedule.EffectiveState(c);
        var conflict = schedule.Conflict(c);
        IReadOnlyList<Discipline> awaiting = state is ConnectionState.Proposed
            ? [.. new[] { c.From.Discipline, c.To.Discipline }.Except(c.AcknowledgedBy)]
            : [];
        return new ConnectionDetails(
            c.Id, c.Version, c.OutcomeId, c.Kind, c.Title, c.Rationale, Side(c.From), Side(c.To), c.LagDays, c.Artefact, c.DueOn,
            c.Message, c.Audience, state, reason, c.AcknowledgedBy, awaiting, conflict is not null, conflict, c.DefinedBy, c.DefinedAt, c.UpdatedAt);
    }

    private static ConnectionSideDetails Side(ConnectionEnd end) => new(end.PlanId, end.ActivityId, end.Discipline);
}
