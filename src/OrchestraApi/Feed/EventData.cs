using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using OrchestraApi.Kernel;

namespace OrchestraApi.Feed;

/// <summary>
/// The <c>data</c> of every feed event: the changed resource as the API answers it after the change, and what changed.
/// One schema per kind of resource (<c>EventDataOfOutcomeDetails</c>, …); the event catalogue (<c>GET /event-types</c>)
/// names each type's.
/// </summary>
/// <param name="Current">The resource after the change, as its GET (or its list) answers it at that version.</param>
/// <param name="Previous">What the change changed: each top-level field of <c>object</c> that differs, with its value before (version and updatedAt left out); null when the change created the resource or records a fact.</param>
/// <param name="By">Who made the change: the name of the API key used.</param>
public sealed record EventData<T>([property: System.Text.Json.Serialization.JsonPropertyName("object")] T Current, JsonObject? Previous, [property: MaxLength(200)] string By);

/// <summary>A batch of result rows as it was recorded: how many rows, whose, and what they add up to; the rows themselves are listed at the event's subject.</summary>
/// <param name="BatchId">The batch's id, as the recorder gave it (its rows carry it).</param>
/// <param name="OutcomeId">The outcome whose activities the rows are for.</param>
/// <param name="Rows">Rows in the batch.</param>
/// <param name="Corrections">Rows of the batch that correct an earlier row.</param>
/// <param name="Superseded">Earlier rows the corrections replace.</param>
/// <param name="Activities">The activities the rows are for.</param>
/// <param name="Disciplines">The disciplines of those activities.</param>
/// <param name="Reached">Audience reached, summed over the batch's rows.</param>
/// <param name="Impressions">Impressions, summed over the batch's rows.</param>
/// <param name="Responses">Responses, summed over the batch's rows.</param>
/// <param name="Conversions">Conversions, summed over the batch's rows.</param>
/// <param name="Revenue">Revenue, summed over the batch's rows, in the outcome's currency.</param>
/// <param name="Cost">Cost, summed over the batch's rows, in the outcome's currency.</param>
/// <param name="RecordedBy">Who recorded it: the name of the API key used.</param>
/// <param name="RecordedAt">When it was recorded (UTC).</param>
public sealed record ResultsBatch(
    Guid BatchId, Guid OutcomeId, int Rows, int Corrections, int Superseded, [property: MaxLength(1000)] IReadOnlyList<Guid> Activities, [property: MaxLength(4)] IReadOnlyList<Discipline> Disciplines,
    long Reached, long Impressions, long Responses, long Conversions, Money Revenue, Money Cost, [property: MaxLength(200)] string RecordedBy, DateTimeOffset RecordedAt);
