using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace OrchestraApi.Platform;

/// <summary>A request type that shows users a realistic body in the OpenAPI document and Swagger UI.</summary>
public interface IHasExample<out TSelf>
{
    static abstract TSelf Example { get; }
}

/// <summary>The OpenAPI 3.1 document (the contract; openapi.json at the root is a copy the build writes).</summary>
public static class OpenApi
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddOrchestraOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "OrchestraApi",
                Version = "v1",
                Description = """
                    Links the plans of advertising, public relations, digital and CRM under business outcomes owned by a
                    conductor, and measures them in a closed loop. Authenticate with an API key in the `X-Api-Key` header.
                    Changes to an existing resource need `If-Match` with the version you read; creates accept
                    `Idempotency-Key`. Errors are RFC 9457 problem documents; invalid input is reported all at once,
                    with one entry per field in `errors`. Enum values are their exact names, in bodies and queries
                    alike. Text may not contain NUL or unpaired surrogates; dates lie between 2000-01-01 and
                    2100-12-31; amounts have at most their currency's decimals. When the database is unavailable,
                    requests answer 503 with `Retry-After`.
                    """,
            };
            // Relative URLs: Swagger UI and clients call whichever host served the document.
            document.Servers = [];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                [ApiKeyAuthentication.SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = ApiKeyAuthentication.Header,
                    Description = "An API key (orch_…) issued by POST /organisations/{organisationId}/api-keys, or the bootstrap admin key.",
                },
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyAuthentication.SchemeName, document)] = [] }];
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
            // NSwag needs `type: string` on string enums, and `format: decimal` to keep money out of double.
            if (type.IsEnum)
            {
                schema.Type = (schema.Type ?? 0) | JsonSchemaType.String;
            }
            else if (type == typeof(decimal))
            {
                schema.Format = "decimal";
            }
            else if (type == typeof(DateOnly))
            {
                // JSON Schema cannot bound a date; say it where Swagger UI and the SDK docs show it.
                schema.Description = $"{schema.Description} A date (yyyy-MM-dd) from {RequestValidation.EarliestDate:yyyy-MM-dd} to {RequestValidation.LatestDate:yyyy-MM-dd}.".TrimStart();
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            AddRequestExample(operation, context);
            if (operation.Parameters?.FirstOrDefault(p => p.Name == Versions.IfMatchHeader) is OpenApiParameter ifMatch)
            {
                // Optional in the handler only so that a missing header answers 428, not a binding 400.
                ifMatch.Required = true;
                ifMatch.Description = "The version (or ETag) of the resource as you last read it. Missing: 428; stale: 412.";
            }

            foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
            {
                Describe(parameter);
            }

            if (operation.Responses?.ContainsKey("304") == true)
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "If-None-Match",
                    In = ParameterLocation.Header,
                    Description = "The ETag you last read; if the resource is still at that version the answer is 304 with no body.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
                operation.Responses["304"].Description = "Not modified: the resource is still at the version named in If-None-Match.";
            }

            return Task.CompletedTask;
        });
    });

    /// <summary>
    /// What each parameter means and its limits, by name: one wording everywhere (the XML docs of [AsParameters]
    /// records do not reach the document). The limits are the ones the API enforces.
    /// </summary>
    private static void Describe(OpenApiParameter parameter)
    {
        (string Text, bool Required)? described = (parameter.Name, parameter.In) switch
        {
            ("limit", ParameterLocation.Query) => ($"Page size, 1–{Cursor.MaxLimit} (default {Cursor.DefaultLimit}).", false),
            ("cursor", ParameterLocation.Query) => ("The `nextCursor` of the previous page; omit it for the first page. Anything else is a 400.", false),
            (Idempotency.Header, ParameterLocation.Header) => ("Up to 100 printable ASCII characters (e.g. a UUID). A retry with the same key and body returns the first answer and creates nothing new; the same key with another body is a 422.", false),
            ("outcomeId", ParameterLocation.Query) => ("The outcome whose items to list (required).", true),
            ("outcomeId", ParameterLocation.Path) => ("The outcome's id.", true),
            ("planId", ParameterLocation.Path) => ("The plan's (or pilot's) id.", true),
            ("activityId", ParameterLocation.Path) => ("The activity's id; it must belong to the plan.", true),
            ("organisationId", ParameterLocation.Path) => ("The organisation's id.", true),
            ("keyId", ParameterLocation.Path) => ("The API key's id (the second part of the key).", true),
            ("key", ParameterLocation.Path) => ("The KPI's key within the outcome, e.g. `clv`.", true),
            ("status", ParameterLocation.Query) => ("Only items in this status (exact name).", false),
            ("discipline", ParameterLocation.Query) => ("Only this discipline's items (exact name).", false),
            ("channel", ParameterLocation.Query) => ("Only activities on this channel (exact name).", false),
            ("conductor", ParameterLocation.Query) => ("Only outcomes owned by this conductor (exact name, at most 200 characters).", false),
            ("from", ParameterLocation.Query) => ("Only activities running on or after this day (yyyy-MM-dd).", false),
            ("to", ParameterLocation.Query) => ("Only activities running on or before this day (yyyy-MM-dd).", false),
            _ => null,
        };
        if (described is not { } d)
        {
            return;
        }

        parameter.Description ??= d.Text;
        parameter.Required |= d.Required;
        if (parameter.Schema is OpenApiSchema schema)
        {
            switch (parameter.Name)
            {
                case "limit":
                    schema.Minimum = "1";
                    schema.Maximum = Cursor.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    schema.Default = System.Text.Json.Nodes.JsonValue.Create(Cursor.DefaultLimit);
                    break;
                case Idempotency.Header:
                    schema.MinLength = 1;
                    schema.MaxLength = 100;
                    break;
            }
        }
    }

    private static void AddRequestExample(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var body = context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source.Id == "Body")?.Type;
        var value = body is not null && body.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IHasExample<>))
            ? body.GetProperty(nameof(IHasExample<object>.Example), BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            : null;
        if (value is null || operation.RequestBody?.Content?.TryGetValue("application/json", out var media) != true || media is not OpenApiMediaType mediaType)
        {
            return;
        }

        var json = context.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<JsonOptions>>().Value.SerializerOptions;
        mediaType.Example = JsonSerializer.SerializeToNode(value, body!, json);
    }

    /// <summary>Declares the problem statuses an endpoint can answer, so the SDK raises typed exceptions for them.</summary>
    public static TBuilder Problems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
        }

        return builder;
    }
}
