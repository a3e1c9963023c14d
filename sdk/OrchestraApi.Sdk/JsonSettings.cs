using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrchestraApi.Sdk;

// NSwag puts string-enum converters on enum properties but not on lists of enums (e.g. an agency key's
// disciplines); a global converter makes every enum travel by name, as the API requires.

public partial class OrganisationsClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) => JsonSettings.Apply(settings);
}

public partial class OutcomesClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) => JsonSettings.Apply(settings);
}

public partial class PlansClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) => JsonSettings.Apply(settings);
}

public partial class ConnectionsClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) => JsonSettings.Apply(settings);
}

public partial class ResultsClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) => JsonSettings.Apply(settings);
}

public partial class StatusClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) => JsonSettings.Apply(settings);
}

public partial class SegmentsClient
{
    static partial void UpdateJsonSerializerSettings(JsonSerializerOptions settings) => JsonSettings.Apply(settings);
}

internal static class JsonSettings
{
    public static void Apply(JsonSerializerOptions settings) => settings.Converters.Add(new JsonStringEnumConverter());
}
