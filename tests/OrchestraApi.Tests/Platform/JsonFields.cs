using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OrchestraApi.Tests.Platform;

/// <summary>Fields of a request example as the API names them (<c>rows[0].reached</c>), for sweeps that poison one at a time.</summary>
internal static partial class JsonFields
{
    /// <summary>The paths of every value of <paramref name="kind"/> in <paramref name="node"/>.</summary>
    public static IEnumerable<string> Of(JsonNode? node, JsonValueKind kind, string path = "") => node switch
    {
        JsonObject o => o.SelectMany(p => Of(p.Value, kind, path.Length == 0 ? p.Key : $"{path}.{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => Of(item, kind, $"{path}[{i}]")),
        JsonValue v when v.GetValueKind() == kind => [path],
        _ => [],
    };

    /// <summary>A copy of <paramref name="example"/> with the value at <paramref name="field"/> replaced.</summary>
    public static JsonNode Replace(JsonNode example, string field, JsonNode value)
    {
        var copy = example.DeepClone();
        var steps = Steps().Matches(field).Select(m => m.Value).ToList();
        var node = copy;
        foreach (var step in steps.SkipLast(1))
        {
            node = step.StartsWith('[') ? node[Index(step)]! : node[step]!;
        }

        var last = steps[^1];
        if (last.StartsWith('['))
        {
            node.AsArray()[Index(last)] = value;
        }
        else
        {
            node.AsObject()[last] = value;
        }

        return copy;
    }

    private static int Index(string step) => int.Parse(step.Trim('[', ']'), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\w+|\[\d+\]")]
    private static partial Regex Steps();
}
