using System.Text.Json;
using OrchestraApi.Kernel;

namespace OrchestraApi.Feed;

/// <summary>
/// One public change in an organisation's feed, at its position: 1, 2, 3, … per organisation, in commit order, with no gap
/// (Marten's global sequence has gaps and counts every organisation's events, so it is never shown). Written by
/// <see cref="FeedSubscription"/> under the async daemon, which hands it events only below the high-water mark:
/// an entry exists only once everything before it is committed.
/// </summary>
/// <param name="Id">The position in the organisation's feed.</param>
/// <param name="EventId">The event's id: stable forever, the entry's id to consumers.</param>
/// <param name="Type">The public event type (<see cref="PublicEvents"/>), e.g. <c>orchestra.activity.rescheduled.v1</c>.</param>
/// <param name="Resource">The kind of resource it changed, e.g. <c>activity</c>.</param>
/// <param name="Subject">The changed resource's path.</param>
/// <param name="StreamId">The stream the event belongs to.</param>
/// <param name="StreamVersion">The stream's version after the event.</param>
/// <param name="OutcomeId">The outcome the event belongs to, when it belongs to one.</param>
/// <param name="Time">When the event was committed.</param>
/// <param name="Data">The public payload (<see cref="EventData{T}"/>), as JSON in the API's own casing, made once when the entry is numbered.</param>
/// <param name="Disciplines">Who may read it: the disciplines it concerns by name (a plan's, an activity's, a connection's two sides, a result batch's rows'), empty for an outcome-level change, which every key may read, <see cref="AdminOnly"/> for a change of the organisation's settings, or <see cref="Conductors"/> for a trigger's definition.</param>
public sealed record FeedEntry(
    long Id, Guid EventId, string Type, string Resource, string Subject, Guid StreamId, long StreamVersion, Guid? OutcomeId, DateTimeOffset Time, JsonElement Data, IReadOnlyList<string> Disciplines)
{
    /// <summary>The audience of a change only admins and CMOs read (a webhook endpoint's).</summary>
    public const string AdminOnly = "Admin";

    /// <summary>The audience of a change admins, CMOs and conductors read (a trigger's definition).</summary>
    public const string Conductors = "Conductor";
}

/// <summary>The last position given in an organisation's feed (one document per organisation).</summary>
public sealed record FeedHead(string Id, long Position)
{
    public const string Key = "feed";
}
