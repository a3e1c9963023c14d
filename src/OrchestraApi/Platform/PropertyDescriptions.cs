using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrchestraApi.Platform;

/// <summary>
/// A description for every property of the contract, so every SDK property has its XML doc. A record's own XML docs
/// come first; a property they leave undescribed takes the one wording its name has everywhere (an id is an id in
/// every answer), listed here.
/// </summary>
public static class PropertyDescriptions
{
    private static readonly Dictionary<string, string> ByName = new(StringComparer.Ordinal)
    {
        ["id"] = "Its id, assigned by the API (a UUID v7, so ids sort by creation).",
        ["version"] = "Its version: send it as If-Match to change it. An opaque counter that only grows.",
        ["name"] = "Its name, as given.",
        ["title"] = "Its title, as given.",
        ["description"] = "What it is about, in a few sentences.",
        ["items"] = "This page's items.",
        ["nextCursor"] = "Pass it as `cursor` for the next page; null on the last page.",
        ["outcomeId"] = "The outcome it belongs to.",
        ["planId"] = "The plan (or pilot) it belongs to.",
        ["activityId"] = "The activity it concerns.",
        ["batchId"] = "The result batch it was recorded in.",
        ["resultId"] = "The recorded result row's id.",
        ["discipline"] = "The discipline: Advertising, PublicRelations, Digital or Crm.",
        ["disciplines"] = "The disciplines concerned.",
        ["budget"] = "The budget, in the outcome's currency.",
        ["budgetThen"] = "The budget at the baseline's moment.",
        ["budgetNow"] = "The budget now.",
        ["planned"] = "What the activities plan to spend.",
        ["plannedThen"] = "What the activities planned to spend at the baseline's moment.",
        ["plannedNow"] = "What the activities plan to spend now.",
        ["spent"] = "What the recorded results say was spent (their cost).",
        ["spentThen"] = "What had been spent at the baseline's moment.",
        ["spentNow"] = "What has been spent now.",
        ["spentVariance"] = "Spent now minus spent then.",
        ["status"] = "Where it is in its lifecycle.",
        ["statusThen"] = "Its status at the baseline's moment; null when it did not exist then.",
        ["state"] = "Where it is in its lifecycle.",
        ["kind"] = "What kind it is.",
        ["key"] = "Its key, unique within its outcome (lower case, digits, `_ . -`).",
        ["createdAt"] = "When it was created (UTC).",
        ["updatedAt"] = "When it last changed (UTC).",
        ["definedAt"] = "When it was defined (UTC).",
        ["draftedAt"] = "When it was drafted (UTC).",
        ["recordedAt"] = "When the API recorded it (UTC).",
        ["revokedAt"] = "When it was revoked (UTC); null while it is active.",
        ["takenAt"] = "When it was taken (UTC).",
        ["comparedAt"] = "The moment now is taken as (UTC).",
        ["observedAt"] = "When the value held (UTC).",
        ["at"] = "When it happened (UTC).",
        ["by"] = "Who did it: the name of the API key used.",
        ["takenBy"] = "Who took it: the name of the API key used.",
        ["recordedBy"] = "Who recorded it: the name of the API key used.",
        ["definedBy"] = "Who defined it: the name of the API key used.",
        ["change"] = "What happened, as a stable kebab-case word (e.g. `revised`).",
        ["summary"] = "What happened, in a sentence.",
        ["rag"] = "Red, amber or green: the overall standing, from the reasons.",
        ["ragThen"] = "The RAG at the baseline's moment.",
        ["ragNow"] = "The RAG now.",
        ["reasons"] = "Every reason for the RAG, worst first.",
        ["rule"] = "The rule's stable name, e.g. `plan-over-budget`.",
        ["detail"] = "What it means this time, in a sentence.",
        ["about"] = "What it is about: a kind and an id, e.g. `activity 0197…`.",
        ["baseline"] = "The KPI's value at the start, from which progress is measured.",
        ["target"] = "The KPI's value to reach.",
        ["unit"] = "The KPI's unit, as people read it (e.g. `EUR`, `%`, `customers`).",
        ["direction"] = "Up: higher is better; Down: lower is better.",
        ["value"] = "The value.",
        ["kpis"] = "The outcome's KPIs.",
        ["kpiKeys"] = "The keys of the outcome KPIs it contributes to.",
        ["activities"] = "The activities.",
        ["plans"] = "The plans.",
        ["measures"] = "What its results add up to, and the ratios derived from them.",
        ["outcome"] = "The outcome as a whole.",
        ["plan"] = "The plan.",
        ["segment"] = "The segment.",
        ["segments"] = "The customer segments it serves.",
        ["segmentIds"] = "The customer segments it serves.",
        ["outcomes"] = "The outcomes.",
        ["changes"] = "What changed, in order.",
        ["connections"] = "Its connections' health.",
        ["conductor"] = "The conductor who owns the outcome.",
        ["orchestrator"] = "The orchestrator who owns the plan for its discipline.",
        ["objective"] = "What the plan sets out to achieve for the outcome.",
        ["pilotScope"] = "A pilot's scope (e.g. one region); null for a discipline's plan.",
        ["closingReason"] = "Why it was closed or cancelled; null while open.",
        ["reason"] = "Why, as given.",
        ["rationale"] = "Why the disciplines must connect here, as given.",
        ["artefact"] = "A hand-off's artefact: what is handed over.",
        ["message"] = "A shared message: the brand message both sides carry.",
        ["audience"] = "A shared audience: the audience or segment both sides target.",
        ["channel"] = "The channel it runs on.",
        ["channelLabel"] = "The channel's own name when `channel` is Other.",
        ["role"] = "The key's role: Admin, Cmo, Conductor, Orchestrator or Agency.",
        ["note"] = "A note, as given.",
        ["comments"] = "Comments, as given.",
        ["returnComments"] = "The conductor's comments when the plan was last returned.",
        ["sourceRef"] = "Your own id for the row, as recorded; a row with a reference already recorded for its activity is a duplicate.",
        ["corrects"] = "The earlier row this row corrects, when it is a correction.",
        ["supersedes"] = "The earlier row this correction replaced.",
        ["rows"] = "Result rows.",
        ["recorded"] = "How many rows of the batch were recorded and counted.",
        ["duplicates"] = "How many rows of the batch were duplicates (their source reference was already recorded) and did not count.",
        ["corrections"] = "How many rows of the batch corrected an earlier row.",
        ["index"] = "The row's position in the batch, from 0.",
        ["reached"] = "Audience reached.",
        ["impressions"] = "Impressions.",
        ["responses"] = "Responses.",
        ["conversions"] = "Conversions.",
        ["revenue"] = "Revenue, in the outcome's currency.",
        ["cost"] = "Cost, in the outcome's currency.",
        ["roi"] = "(revenue − cost) / cost.",
        ["costPerConversion"] = "cost / conversions.",
        ["from"] = "The first day.",
        ["to"] = "The last day.",
        ["since"] = "The earlier moment (UTC).",
        ["until"] = "The later moment (UTC).",
        ["size"] = "Customers in the segment.",
        ["margin"] = "Margin per customer per period (m).",
        ["retentionRate"] = "Share of customers kept from one period to the next (r).",
        ["discountRate"] = "Discount rate per period (d).",
        ["source"] = "Where the KPI's value comes from: Observed, or derived from results or a segment.",
        ["observations"] = "How many observations were recorded.",
        ["progressThen"] = "The KPI's progress at the baseline's moment.",
        ["progressNow"] = "The KPI's progress now.",
        ["points"] = "Progress now minus progress then, in points of progress (0..1 scale).",
        ["done"] = "Activities done.",
        ["inProgress"] = "Activities in progress.",
        ["cancelled"] = "Activities cancelled.",
        ["activitiesDone"] = "Activities done.",
        ["activitiesTotal"] = "Activities that are not cancelled.",
        ["daysLeft"] = "Days from today to the window's end (0 when it has ended).",
        ["agreed"] = "Connections both sides acknowledged.",
        ["awaitingAcknowledgement"] = "Connections awaiting a side's acknowledgement.",
        ["contested"] = "Connections a side contested.",
        ["broken"] = "Connections broken (marked, or by cancelled work).",
        ["inConflict"] = "Live connections in schedule conflict now.",
        ["met"] = "Connections met.",
        ["acknowledgedBy"] = "The sides' disciplines that acknowledged it.",
        ["stateReason"] = "Why it is in its state (e.g. the cancellation that broke it).",
        ["slipDays"] = "Days the activity slips in this analysis.",
        ["level"] = "How serious: Amber or Red.",
        ["overAllocationAccepted"] = "True when the conductor accepted that the plans together exceed the outcome's budget.",
        ["lagDays"] = "Days between the upstream's end and the downstream's start (negative: overlap).",
    };

    /// <summary>Fills every undescribed property of every component schema from <see cref="ByName"/>.</summary>
    public static Task Apply(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var schema in document.Components?.Schemas?.Values.OfType<OpenApiSchema>() ?? [])
        {
            foreach (var name in schema.Properties?.Keys.ToList() ?? [])
            {
                if (!ByName.TryGetValue(name, out var text))
                {
                    continue;
                }

                switch (schema.Properties![name])
                {
                    case OpenApiSchema { Description: null or "" } property:
                        property.Description = text;
                        break;
                    case OpenApiSchemaReference reference when string.IsNullOrEmpty(reference.Reference.Description):
                        // A reference reads its target's description; its own is what is written beside the $ref.
                        reference.Description = text;
                        break;
                }
            }
        }

        return Task.CompletedTask;
    }
}
