using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrchestraApi.Platform;

/// <summary>
/// Every string, list and integer in the contract states its limit (OWASP API4: unrestricted resource
/// consumption). Records state their own, as attributes on their properties (requests the limits they accept,
/// answers the limits of what they return); the framework writes the standard ones, and this fills in what no
/// attribute says: the lengths of formatted strings, the range of plain integers and the length of list items.
/// </summary>
public static class ContractLimits
{
    /// <summary>Longest text the API writes itself in a history entry or a problem's detail.</summary>
    public const int MaxWrittenText = 10_000;

    public static void Apply(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (Is(schema, JsonSchemaType.String) && schema.Enum is not { Count: > 0 } && schema.MaxLength is null)
        {
            // Other text without a limit on its record stays unstated (and fails the contract test).
            schema.MaxLength = schema.Format switch
            {
                "uuid" => 36,
                "date" => 10,
                "date-time" => 64,
                _ => null,
            };
        }
        else if (Is(schema, JsonSchemaType.Integer) && schema.Minimum is null && schema.Maximum is null)
        {
            schema.Minimum = "0";
            schema.Maximum = (schema.Format == "int64" ? long.MaxValue : int.MaxValue).ToString(CultureInfo.InvariantCulture);
        }
        else if (Is(schema, JsonSchemaType.Array) && schema.Items is OpenApiSchema item && Is(item, JsonSchemaType.String) && item.Enum is not { Count: > 0 }
            && context.JsonPropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(ItemsLengthAttribute), inherit: true) is [ItemsLengthAttribute items, ..])
        {
            item.MaxLength ??= items.Maximum;
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
}
