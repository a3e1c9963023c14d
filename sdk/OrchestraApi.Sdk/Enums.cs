using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrchestraApi.Sdk;

/// <summary>
/// Reads enums by their exact names, as the API writes them, and tolerates names this SDK version does not know:
/// within v1 the API may add values (its contract says so), and an old client must still read the answer. Such a
/// value reads as <see cref="EnumValues.Unknown{T}"/> (not a declared member: <c>value.IsKnown()</c> is false)
/// instead of failing the whole call.
/// </summary>
public sealed class TolerantEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(TolerantEnumConverter<>).MakeGenericType(typeToConvert))!;
}

/// <summary>The converter of one enum type (see <see cref="TolerantEnumConverter"/>).</summary>
public sealed class TolerantEnumConverter<T> : JsonConverter<T>
    where T : struct, Enum
{
    private static readonly Dictionary<string, T> ByName = Enum.GetValues<T>().ToDictionary(v => v.ToString(), StringComparer.Ordinal);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? ByName.TryGetValue(reader.GetString()!, out var value) ? value : EnumValues.Unknown<T>()
            : throw new JsonException($"Expected a {typeof(T).Name} name (a JSON string), got {reader.TokenType}.");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.IsKnown() ? value.ToString() : throw new JsonException($"{typeof(T).Name} {value} is not a value this client can send."));
}

/// <summary>Enum values the API may add within v1, read by an SDK that predates them.</summary>
public static class EnumValues
{
    /// <summary>What a value this SDK version does not know reads as: -1, which no member of the API's enums has.</summary>
    public static T Unknown<T>()
        where T : struct, Enum => (T)Enum.ToObject(typeof(T), -1);

    /// <summary>False for a value the API added after this SDK version (update the SDK to see its name).</summary>
    public static bool IsKnown<T>(this T value)
        where T : struct, Enum => Enum.IsDefined(value);
}
