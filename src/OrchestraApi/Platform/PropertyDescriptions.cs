using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrchestraApi.Platform;

/// <summary>
/// A description for every property of the contract, so every SDK property has its XML doc. Records describe their
/// properties in their own XML docs; what is left here is the one wording of the words many records share (an id is
/// an id in every answer), and of a few properties that may be null and name another schema, where a record's doc
/// would describe the schema named (inside <c>oneOf</c>) rather than the property.
/// </summary>
public static class PropertyDescriptions
{
    private static readonly Dictionary<string, string> ByName = new(StringComparer.Ordinal)
    {
        ["id"] = "Its id, assigned by the API (a UUID v7, so ids sort by creation).",
        ["version"] = "Its version: send it as If-Match to change it. An opaque counter that only grows.",
        ["name"] = "Its name, as given.",
        ["title"] = "Its title, as given.",
        ["outcomeId"] = "The outcome it belongs to.",
        ["planId"] = "The plan (or pilot) it belongs to.",
        ["activityId"] = "The activity it concerns.",
        ["discipline"] = "The discipline: Advertising, PublicRelations, Digital or Crm.",
        ["disciplines"] = "The disciplines concerned.",
        ["budget"] = "The budget, in the outcome's currency.",
        ["budgetThen"] = "The budget at the baseline's moment.",
        ["status"] = "Where it is in its lifecycle.",
        ["statusThen"] = "Its status at the baseline's moment; null when it did not exist then.",
        ["key"] = "Its key, unique within its outcome (lower case, digits, `_ . -`).",
        ["updatedAt"] = "When it last changed (UTC).",
        ["definedAt"] = "When it was defined (UTC).",
        ["at"] = "When it happened (UTC).",
        ["by"] = "Who did it: the name of the API key used.",
        ["change"] = "What happened, as a stable kebab-case word (e.g. `revised`).",
        ["rag"] = "Red, amber or green: the overall standing, from the reasons.",
        ["baseline"] = "The KPI's value at the start, from which progress is measured.",
        ["unit"] = "The KPI's unit, as people read it (e.g. `EUR`, `%`, `customers`).",
        ["direction"] = "Up: higher is better; Down: lower is better.",
        ["kpis"] = "The outcome's KPIs.",
        ["activities"] = "The activities.",
        ["corrects"] = "The earlier row this row corrects, when it is a correction.",
        ["conversions"] = "Conversions.",
        ["margin"] = "Margin per customer per period (m).",
        ["source"] = "Where the KPI's value comes from: Observed, or derived from results or a segment.",
        ["createdAt"] = "When it was created (UTC).",
        ["condition"] = "A trigger's condition, whole: its kind and that kind's parameters.",
        ["scope"] = "Which outcomes, disciplines and channels a trigger watches; omitted: all (a conductor's trigger names its outcomes).",
        ["rearm"] = "When a trigger may fire again for a subject; omitted: once until its condition clears.",
        ["kind"] = "The condition's kind; each kind states the parameters it takes (see its values' descriptions).",
        ["trouble"] = "ConnectionTrouble: Conflict, Broken or Either (default).",
        ["metric"] = "ActivityMetric: Roi, CostPerConversion or ConversionRate.",
        ["level"] = "SpendOverBudget: Plan, Discipline or Outcome.",
        ["actions"] = "What a trigger does when it fires besides notifying; omitted: notify only (every firing is on the feed).",
        ["measure"] = "SegmentValueDrop: the segment's measure watched, Clv (default) or Equity; other kinds: not given.",
        ["openTask"] = "Open a task at each firing for a role or discipline, with the firing's evidence; null: none.",
        ["next"] = "The next stage and what it still needs; null once the last stage is reached.",
        ["stage"] = "A stage of marketing execution: NotYetClosedLoop, ClosedLoop, EventDriven or RelationshipDriven.",
        ["flag"] = "The flag on the outcome's status: at each firing a `trigger-flag` reason at this level (TriggerActions), or the flag this firing raised and where it is (TriggerFiringDetails); null: none.",
        ["assignee"] = "Who acts on the task: a role, and for orchestrators and agencies a discipline.",
        ["role"] = "A role: Admin, Cmo, Conductor, Orchestrator or Agency.",
        ["policy"] = "UntilCleared (default): once per subject until the condition clears; AtMostEvery: at most once every `hours` while it holds.",
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
