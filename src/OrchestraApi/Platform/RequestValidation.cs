using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace OrchestraApi.Platform;

/// <summary>
/// Checks every request before it binds: query values, path and the JSON body against the endpoint's request type,
/// reporting every problem at once, one entry per field (<c>kpis[0].target</c>), in one voice. Text PostgreSQL
/// cannot store (NUL, unpaired surrogates) is refused here, so it never reaches the database.
/// </summary>
public sealed class RequestValidation(IOptions<JsonOptions> json) : IMiddleware
{
    public static readonly DateOnly EarliestDate = new(2000, 1, 1);
    public static readonly DateOnly LatestDate = new(2100, 12, 31);

    // Reflection once per property, not per request.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonPropertyInfo, ValidationAttribute[]> Attributes = [];

    private const int MaxDepth = 32;

    private readonly JsonSerializerOptions _options = json.Value.SerializerOptions;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var errors = new Errors();
        if (!Storable(context.Request.Path.Value))
        {
            errors.Add("path", Errors.Unstorable);
        }

        if (context.Request.Headers.TryGetValue(Idempotency.Header, out var key) && Idempotency.Problem(key.ToString()) is { } keyProblem)
        {
            errors.AddShape(Idempotency.Header, keyProblem);
        }

        foreach (var (name, values) in context.Request.Query)
        {
            if (!Storable(name) || values.Any(v => !Storable(v)))
            {
                errors.Add(Storable(name) ? name : "query", Errors.Unstorable);
            }
        }

        if (errors.Count == 0 && BodyType(context) is { } type)
        {
            await ValidateBodyAsync(context.Request, type, errors);
        }

        if (errors.Count > 0 && !(errors.OnlyValues && BodyType(context) is { } judged && typeof(IJudgedWhole).IsAssignableFrom(judged)))
        {
            throw new InvalidInputException(errors.ToDictionary());
        }

        if (errors.Count > 0)
        {
            // The body has its shape and only some values are out of bounds: its rules judge it too (the command pipeline
            // saves nothing and answers every problem at once).
            context.Features.Set(new InputProblems(errors.ToDictionary()));
        }

        await next(context);
    }

    /// <summary>False for text that PostgreSQL's text and jsonb cannot hold: NUL and unpaired UTF-16 surrogates.</summary>
    public static bool Storable(string? text)
    {
        if (text is null)
        {
            return true;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c) || (char.IsHighSurrogate(c) && (++i >= text.Length || !char.IsLowSurrogate(text[i]))))
            {
                return false;
            }
        }

        return true;
    }

    private static Type? BodyType(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is { RequestType: { } type } accepts
        && accepts.ContentTypes.Contains("application/json")
            ? type
            : null;

    private async Task ValidateBodyAsync(HttpRequest request, Type type, Errors errors)
    {
        if (request.ContentType is { } contentType && !contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return; // The framework answers 415 for other media types.
        }

        request.EnableBuffering();
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = MaxDepth }, request.HttpContext.RequestAborted);
        }
        catch (JsonException) when (request.Body.Position == 0)
        {
            errors.AddShape("body", "is required: send a JSON request body.");
            return;
        }
        catch (JsonException e)
        {
            errors.AddShape("body", e.Message.Contains("maximum configured depth", StringComparison.Ordinal)
                ? $"nests deeper than {MaxDepth} levels."
                : $"is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}).");
            return;
        }

        using (document)
        {
            FindUnstorableText(document.RootElement, "", errors);
            Walk(document.RootElement, _options.GetTypeInfo(type), "", nullable: false, errors);
        }

        request.Body.Position = 0;
    }

    private static void FindUnstorableText(JsonElement element, string path, Errors errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when !Storable(Text(() => element.GetString())):
                errors.Add(Errors.Name(path), Errors.Unstorable);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var name = Text(() => property.Name) is { } text && Storable(text) ? text : "?";
                    FindUnstorableText(property.Value, Errors.Member(path, name), errors);
                    if (name == "?")
                    {
                        errors.Add(Errors.Name(path), "has a field name with characters that cannot be stored (NUL or unpaired surrogates).");
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    FindUnstorableText(item, $"{path}[{index++}]", errors);
                }

                break;
        }
    }

    /// <summary>The unescaped text, or NUL when it cannot be unescaped (an escaped unpaired surrogate).</summary>
    private static string? Text(Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            return "\0";
        }
    }

    /// <param name="range">The field's own bounds, to name when a number does not even fit its type.</param>
    private void Walk(JsonElement element, JsonTypeInfo info, string path, bool nullable, Errors errors, RangeAttribute? range = null)
    {
        var field = Errors.Name(path);
        if (errors.Has(field))
        {
            return; // Already named (text that cannot be stored): reading it again could only fail.
        }

        if (element.ValueKind == JsonValueKind.Null)
        {
            if (!nullable)
            {
                errors.AddShape(field, "is required and cannot be null.");
            }

            return;
        }

        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when element.ValueKind != JsonValueKind.Object:
                errors.AddShape(field, "must be a JSON object.");
                break;
            case JsonTypeInfoKind.Object:
                WalkObject(element, info, path, errors);
                break;
            case JsonTypeInfoKind.Enumerable when element.ValueKind != JsonValueKind.Array:
                errors.AddShape(field, "must be a JSON array.");
                break;
            case JsonTypeInfoKind.Enumerable:
                var elementInfo = _options.GetTypeInfo(info.ElementType!);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, elementInfo, $"{path}[{index++}]", IsNullableValue(info.ElementType!), errors);
                }

                break;
            default:
                if (Primitive(element, type, range) is { } problem)
                {
                    errors.AddShape(field, problem);
                }

                break;
        }
    }

    private void WalkObject(JsonElement element, JsonTypeInfo info, string path, Errors errors)
    {
        var before = errors.Count;
        var comparison = _options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var present = new List<(JsonPropertyInfo Property, JsonElement Value)>();
        foreach (var member in element.EnumerateObject())
        {
            if (info.Properties.FirstOrDefault(p => string.Equals(p.Name, member.Name, comparison)) is { } property)
            {
                present.Add((property, member.Value));
            }
            else if (info.UnmappedMemberHandling == JsonUnmappedMemberHandling.Disallow)
            {
                errors.AddShape(Errors.Member(path, member.Name), "is not a field of this request.");
            }
        }

        foreach (var property in info.Properties)
        {
            var member = Errors.Member(path, property.Name);
            if (present.FindIndex(p => p.Property == property) is var i and >= 0)
            {
                var value = present[i].Value;
                var count = errors.Count;
                var attributes = Attributes.GetValue(property, Find);
                Walk(value, _options.GetTypeInfo(property.PropertyType), member, property.AssociatedParameter?.IsNullable ?? property.IsSetNullable, errors, attributes.OfType<RangeAttribute>().FirstOrDefault());
                if (errors.Count == count && !errors.HasUnder(member) && attributes.Length > 0)
                {
                    CheckAttributes(attributes, ValueFor(attributes, value, property.PropertyType), member, errors, shape: value.ValueKind == JsonValueKind.Array);
                }
            }
            else if (property.IsRequired || property.AssociatedParameter is { HasDefaultValue: false })
            {
                errors.AddShape(member, "is required.");
            }
        }

        if (errors.Count == before && !errors.HasUnder(path) && typeof(IValidatableObject).IsAssignableFrom(info.Type)
            && element.Deserialize(info.Type, _options) is IValidatableObject validatable)
        {
            foreach (var result in validatable.Validate(new ValidationContext(validatable)))
            {
                foreach (var name in result.MemberNames.DefaultIfEmpty(""))
                {
                    errors.Add(name.Length == 0 ? Errors.Name(path) : Errors.Member(path, JsonNamingPolicy.CamelCase.ConvertName(name)), result.ErrorMessage ?? "is not valid.");
                }
            }
        }
    }

    /// <summary>
    /// The value the attributes judge. A list judged only by its size (a batch of 1,000 rows) is not deserialised
    /// again for that: a placeholder of its length stands in; its items were already walked one by one.
    /// </summary>
    /// <remarks>
    /// A text or a whole number (already checked by <see cref="Primitive"/>) is read straight from the JSON, and an object
    /// only required is judged present without being built: what a 1,000-row batch walks thousands of times.
    /// </remarks>
    private object? ValueFor(ValidationAttribute[] attributes, JsonElement value, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return value.ValueKind switch
        {
            JsonValueKind.Array when attributes.All(a => a is MinLengthAttribute or MaxLengthAttribute or RequiredAttribute) => new object?[value.GetArrayLength()],
            JsonValueKind.Object when attributes.All(a => a is RequiredAttribute) => Present,
            JsonValueKind.String when underlying == typeof(string) => value.GetString(),
            JsonValueKind.Number when underlying == typeof(long) && value.TryGetInt64(out var whole) => whole,
            JsonValueKind.Number when underlying == typeof(int) && value.TryGetInt32(out var small) => small,
            _ => value.Deserialize(type, _options),
        };
    }

    /// <summary>Stands for an object that is there, for attributes that only ask whether it is.</summary>
    private static readonly object Present = new();

    private static ValidationAttribute[] Find(JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(ValidationAttribute), inherit: true).Cast<ValidationAttribute>().ToArray() ?? [];

    /// <param name="shape">A list's size is its shape: a batch of the wrong size is not judged further.</param>
    private static void CheckAttributes(ValidationAttribute[] attributes, object? value, string field, Errors errors, bool shape)
    {
        foreach (var attribute in attributes.Where(a => !a.IsValid(value)))
        {
            if (shape)
            {
                errors.AddShape(field, Message(attribute, value));
                return;
            }

            errors.Add(field, Message(attribute, value));
            return; // One message per field: the first rule it breaks.
        }
    }

    /// <summary>Our own wording for the framework's attributes (theirs name .NET properties); ours carry their message.</summary>
    private static string Message(ValidationAttribute attribute, object? value) => attribute switch
    {
        _ when attribute.ErrorMessage is { } message => message,
        RequiredAttribute => "is required.",
        StringLengthAttribute { MinimumLength: > 0 } a => $"must be {Wording.Number(a.MinimumLength)}-{Wording.Count(a.MaximumLength, "character")}.",
        StringLengthAttribute a => $"must be at most {Wording.Count(a.MaximumLength, "character")}.",
        MaxLengthAttribute a when value is string => $"must be at most {Wording.Count(a.Length, "character")}.",
        MaxLengthAttribute a => $"must have at most {Wording.Count(a.Length, "item")}.",
        MinLengthAttribute a when value is string => $"must be at least {Wording.Count(a.Length, "character")}.",
        MinLengthAttribute { Length: 1 } => "must have at least one item.",
        MinLengthAttribute a => $"must have at least {Wording.Count(a.Length, "item")}.",
        RangeAttribute a => Between(a),
        RegularExpressionAttribute => "does not have the expected format.",
        _ => attribute.FormatErrorMessage("value"),
    };

    private static string? Primitive(JsonElement element, Type type, RangeAttribute? range) => type switch
    {
        _ when type == typeof(string) => element.ValueKind == JsonValueKind.String ? null : "must be a string.",
        _ when type.IsEnum => element.ValueKind == JsonValueKind.String && Enum.GetNames(type).Contains(element.GetString(), StringComparer.Ordinal)
            ? null
            : $"must be one of: {string.Join(", ", Enum.GetNames(type))} (exact names).",
        _ when type == typeof(DateOnly) => element.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(element.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date < EarliestDate || date > LatestDate ? $"must be between {EarliestDate:yyyy-MM-dd} and {LatestDate:yyyy-MM-dd}." : null
                : "must be a date written yyyy-MM-dd.",
        _ when type == typeof(Guid) => element.ValueKind == JsonValueKind.String && Guid.TryParse(element.GetString(), out _) ? null : "must be an id (a UUID).",
        _ when type == typeof(bool) => element.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "must be true or false.",
        _ when type == typeof(decimal) => element.ValueKind == JsonValueKind.Number ? element.TryGetDecimal(out _) ? null : "is out of range." : "must be a number.",
        // TryGet… throws on anything but a number: asked only of numbers.
        _ when type == typeof(int) => WholeNumber(element, element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out _), int.MinValue, int.MaxValue, range),
        _ when type == typeof(long) => WholeNumber(element, element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out _), long.MinValue, long.MaxValue, range),
        _ => null,
    };

    /// <summary>A number that does not fit its field: named with the field's own bounds where it has them, else the type's.</summary>
    private static string? WholeNumber(JsonElement element, bool fits, long min, long max, RangeAttribute? range) =>
        element.ValueKind != JsonValueKind.Number ? "must be a number."
        : fits ? null
        : element.TryGetDecimal(out var value) && value != decimal.Truncate(value) ? "must be a whole number."
        : range is not null ? Message(range, null)
        : $"must be a whole number from {Wording.Number(min)} to {Wording.Number(max)}.";

    private static string Between(RangeAttribute range) => $"must be between {Wording.Number(range.Minimum)} and {Wording.Number(range.Maximum)}.";

    private static bool IsNullableValue(Type type) => Nullable.GetUnderlyingType(type) is not null;

    /// <summary>Problems by field, in the order found; the first message for a field is the one reported.</summary>
    private sealed class Errors
    {
        public const string Unstorable = "contains characters that cannot be stored (NUL or unpaired surrogates).";

        private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

        public int Count => _byField.Count;

        /// <summary>True while every problem is a value out of its bounds, none of shape (missing, null, wrong type, unknown field).</summary>
        public bool OnlyValues { get; private set; } = true;

        public bool Has(string field) => _byField.ContainsKey(field);

        /// <summary>True when the value at <paramref name="path"/> or anything inside it is already named.</summary>
        public bool HasUnder(string path) => path.Length == 0
            ? _byField.Count > 0
            : _byField.Keys.Any(k => k == path || k.StartsWith(path + ".", StringComparison.Ordinal) || k.StartsWith(path + "[", StringComparison.Ordinal));

        public void AddShape(string field, string message)
        {
            OnlyValues = false;
            Add(field, message);
        }

        public static string Name(string path) => path.Length == 0 ? "body" : path;

        public static string Member(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

        public void Add(string field, string message)
        {
            if (!_byField.TryGetValue(field, out var messages))
            {
                _byField[field] = messages = [];
            }

            if (!messages.Contains(message))
            {
                messages.Add(message);
            }
        }

        public Dictionary<string, string[]> ToDictionary() => _byField.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }
}

/// <summary>
/// A request whose rules judge it together with its shape's bounds (a batch of rows), so that one answer names every
/// bad row and field: when its body has the right shape but some values are out of bounds (or text cannot be stored),
/// its handler still runs — it must not let such values reach the database — and nothing is saved.
/// </summary>
public interface IJudgedWhole;

/// <summary>The problems request validation found in a body it let through to be judged whole (see <see cref="IJudgedWhole"/>).</summary>
public sealed record InputProblems(IReadOnlyDictionary<string, string[]> Errors)
{
    /// <summary>These problems and those the rules found, one answer.</summary>
    public InvalidInputException With(IReadOnlyDictionary<string, string[]> more) =>
        new(Errors.Concat(more.Where(m => !Errors.ContainsKey(m.Key))).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));
}
