using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;

namespace OrchestraApi.Platform;

/// <summary>
/// Every string, list and integer in the contract states its limit (OWASP API4: unrestricted resource
/// consumption). Requests carry their own annotations; an answer repeats what was accepted, so a response field
/// takes the limit of the request field of the same name, and the few the API writes itself are listed here.
/// </summary>
public static class ContractLimits
{
    /// <summary>Longest text the API writes itself in a history entry or a problem's detail.</summary>
    public const int MaxWrittenText = 10_000;

    /// <summary>Most reasons a RAG can have: one per discipline and plan, the outcome's spend, each connection and each KPI.</summary>
    public const int Reasons = 4 + PlanRules.MaxPlansPerOutcome + 1 + Connections.ConnectionRules.MaxConnections + OutcomeRules.MaxKpis;

    /// <summary>Most changes between two statuses: the outcome's, each reason raised or cleared, each plan, up to four per activity, two per connection, each KPI and discipline.</summary>
    public const int Changes = 4 + (2 * Reasons) + 4 + (4 * PlanRules.MaxActivitiesPerOutcome) + (2 * Connections.ConnectionRules.MaxConnections) + OutcomeRules.MaxKpis + 4;

    private static readonly Lazy<Dictionary<string, int>> AcceptedLengths = new(() => Annotated<StringLengthAttribute>(a => a.MaximumLength));
    private static readonly Lazy<Dictionary<string, int>> AcceptedItemLengths = new(() => Annotated<ItemsLengthAttribute>(a => a.Maximum));
    private static readonly Lazy<Dictionary<string, int>> AcceptedCounts = new(() => Annotated<MaxLengthAttribute>(a => a.Length));

    private static readonly Dictionary<string, int> WrittenLengths = new()
    {
        ["by"] = 200, ["conductor"] = 200, ["change"] = 100, ["summary"] = MaxWrittenText, ["detail"] = MaxWrittenText,
        ["closingReason"] = 2000, ["returnComments"] = 4000, ["type"] = 200, ["title"] = 200, ["instance"] = 2048,
        ["rule"] = 100, ["traceId"] = 100, ["nextCursor"] = 200, ["key"] = 200, ["name"] = 200,
        ["about"] = 100, ["definedBy"] = 200, ["stateReason"] = 2500, ["conflict"] = 1000, ["connections"] = 200, ["recordedBy"] = 200,
        ["takenBy"] = 200, ["status"] = 200, ["statusLink"] = 200, ["id"] = 36,
    };

    private static readonly Dictionary<string, int> WrittenCounts = new()
    {
        ["items"] = Cursor.MaxLimit, ["activities"] = PlanRules.MaxActivities, ["plans"] = PlanRules.MaxPlansPerOutcome,
        ["kpis"] = OutcomeRules.MaxKpis, ["disciplines"] = 4, ["warnings"] = 5,
        ["reasons"] = Reasons, ["changes"] = Changes, ["rules"] = 7, ["disciplinesWithProblems"] = 4,
    };

    private static readonly Dictionary<string, int> WrittenItemLengths = new() { ["warnings"] = 300, ["rules"] = 100 };

    /// <summary>Where one name means different lists: the outcome-wide ones are bounded by the outcome's limits.</summary>
    private static readonly Dictionary<(Type, string), int> WrittenCountsOf = new()
    {
        [(typeof(Connections.CriticalPath), "path")] = PlanRules.MaxActivitiesPerOutcome,
        [(typeof(Connections.CriticalPath), "activities")] = PlanRules.MaxActivitiesPerOutcome,
        [(typeof(Connections.ImpactOnDiscipline), "activities")] = PlanRules.MaxActivitiesPerOutcome,
        [(typeof(Connections.Impact), "conflicts")] = Connections.ConnectionRules.MaxConnections,
        [(typeof(Connections.ConnectionDetails), "acknowledgedBy")] = 2,
        [(typeof(Baselines.BaselineVariance), "activities")] = PlanRules.MaxActivitiesPerOutcome,
        [(typeof(Connections.ConnectionDetails), "awaitingAcknowledgementFrom")] = 2,
    };

    public static void Apply(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        var name = context.JsonPropertyInfo?.Name;
        if (Is(schema, JsonSchemaType.String) && schema.Enum is not { Count: > 0 } && schema.MaxLength is null)
        {
            schema.MaxLength = schema.Format switch
            {
                "uuid" => 36,
                "date" => 10,
                "date-time" => 64,
                _ when name is not null => AcceptedLengths.Value.GetValueOrDefault(name) is > 0 and var accepted ? accepted : WrittenLengths.GetValueOrDefault(name),
                _ => null,
            };
            if (schema.MaxLength == 0)
            {
                schema.MaxLength = null;
            }
        }
        else if (Is(schema, JsonSchemaType.Integer) && schema.Minimum is null && schema.Maximum is null)
        {
            schema.Minimum = "0";
            schema.Maximum = (schema.Format == "int64" ? long.MaxValue : int.MaxValue).ToString(CultureInfo.InvariantCulture);
        }
        else if (Is(schema, JsonSchemaType.Array) && name is not null)
        {
            // Unknown stays unstated (and fails the contract test), rather than a false 0.
            var declaring = context.JsonPropertyInfo!.DeclaringType;
            schema.MaxItems ??= WrittenCountsOf.TryGetValue((declaring, name), out var specific) ? specific
                : AcceptedCounts.Value.GetValueOrDefault(name) is > 0 and var count ? count
                : WrittenCounts.TryGetValue(name, out var written) ? written : null;
            if (schema.Items is OpenApiSchema { } item && Is(item, JsonSchemaType.String) && item.Enum is not { Count: > 0 })
            {
                item.MaxLength ??= AcceptedItemLengths.Value.GetValueOrDefault(name) is > 0 and var length ? length : WrittenItemLengths.TryGetValue(name, out var itemLength) ? itemLength : null;
            }
        }

        if (context.JsonTypeInfo.Type == typeof(Problem) && schema.Properties?.TryGetValue("errors", out var errors) == true && errors is OpenApiSchema map)
        {
            // One entry per field, a few messages each.
            map.MaxProperties = 1000;
            if (map.AdditionalProperties is OpenApiSchema messages)
            {
                messages.MaxItems = 20;
                if (messages.Items is OpenApiSchema message)
                {
                    message.MaxLength = 1000;
                }
            }
        }
    }

    private static bool Is(OpenApiSchema schema, JsonSchemaType type) => schema.Type is { } t && t.HasFlag(type);

    /// <summary>The largest limit each JSON name carries in any of the API's records.</summary>
    private static Dictionary<string, int> Annotated<TAttribute>(Func<TAttribute, int> limit)
        where TAttribute : Attribute
    {
        var limits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var property in typeof(ContractLimits).Assembly.GetTypes().SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
        {
            if (property.GetCustomAttribute<TAttribute>() is { } attribute)
            {
                var json = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                limits[json] = Math.Max(limits.GetValueOrDefault(json), limit(attribute));
            }
        }

        return limits;
    }
}
