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

/// <summary>
/// A request whose example names resources other calls create: its body's description says where those ids come from,
/// since the example's own are made up and answer a 4xx if sent as they are.
/// </summary>
public interface IHasIdsFromOtherCalls
{
    static abstract string IdsFrom { get; }
}

/// <summary>The OpenAPI 3.1 document (the contract; openapi.json at the root is a copy the build writes).</summary>
public static class OpenApi
{
    public const string DocumentPath = "/openapi/v1.json";

    private const string Description = """
        Links the plans of advertising, public relations, digital and CRM under business outcomes owned by a
        conductor, and measures them in a closed loop.

        **Your first key.** Every request carries an API key in the `X-Api-Key` header (in Swagger UI: *Authorize*).
        The bootstrap admin key (`.orchestra/bootstrap-admin-key` next to the running API, or the
        `Orchestra__BootstrapAdminKey` setting) creates an organisation (`POST /organisations`) and issues its keys
        (`POST /organisations/{organisationId}/api-keys` with a role: Admin, Cmo, Conductor, Orchestrator or Agency).
        The key is shown once.

        **Getting started: the calls in order.** Each answer holds the `id` (and `version`) the next call needs; the
        tags below follow the same order.
        1. *Create an organisation* (`POST /organisations`) with the bootstrap key.
        2. *Issue an API key* (`POST /organisations/{organisationId}/api-keys`), e.g. role `Admin` to walk every step
           with one key, then *Authorize* with it.
        3. *Define an outcome* (`POST /outcomes`) with at least one KPI.
        4. *Activate an outcome* (`POST /outcomes/{outcomeId}/activate`, `If-Match` = its `version`).
        5. *Draft a plan or pilot* (`POST /plans`) per discipline, with the outcome's `id`.
        6. *Schedule an activity* (`POST /plans/{planId}/activities`) in each plan.
        7. *Submit a plan* (`POST /plans/{planId}/submit`), then *Approve a plan* (`POST /plans/{planId}/approve`).
        8. *Define a connection* (`POST /outcomes/{outcomeId}/connections`) between two disciplines' plans or activities.
        9. *Record results* (`POST /outcomes/{outcomeId}/results`) with the activities' ids from step 6.
        10. *Get an outcome's status* (`GET /outcomes/{outcomeId}/status`), its timeline
            (`GET /outcomes/{outcomeId}/timeline`), and *Get the portfolio* (`GET /portfolio`) across outcomes.

        Examples use one made-up world (Northwind Coffee's loyalty outcome, its CRM plan and win-back emails): their ids
        agree with each other, not with your data, so take ids from your own answers.

        **Conventions.** Creates answer 201 with a `Location` you can read. Every request that changes anything
        accepts `Idempotency-Key` (a retry with the same key and body returns the first answer and applies nothing
        twice; the SDK sends one with every change it may retry). Every change to an existing resource needs `If-Match`
        with the `version` you read (also its `ETag`); reads answer 304 to a matching `If-None-Match`. Versions are
        opaque counters that only grow, not revision numbers: one change may move them by more than one. Lists are
        cursor-paginated: pass `nextCursor` back as `cursor`. Lists scoped to an outcome live under it
        (`/outcomes/{outcomeId}/plans`).

        **Errors** are RFC 9457 problem documents (`Problem`): invalid input (400) is reported all at once, one
        entry per field in `errors`; a broken business rule (409) names it in `rule`; every problem has a `traceId`.
        Enum values are their exact names, in bodies and queries alike. Text may not contain NUL or unpaired
        surrogates; dates lie between 2000-01-01 and 2100-12-31; amounts have at most their currency's decimals.
        Rate limits are announced in `RateLimit-*` headers; 429 and 503 carry `Retry-After`.

        **Versioning.** Within v1 changes are additive only (new operations, new optional fields, new enum values
        announced here first); a breaking change gets a new major version under its own path, and v1 keeps
        answering for at least twelve months after that.
        """;

    public static IServiceCollection AddOrchestraOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "OrchestraApi",
                Version = "v1",
                Description = Description,
                Contact = new OpenApiContact { Name = "OrchestraApi team" },
                License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
            };
            document.Servers =
            [
                new OpenApiServer
                {
                    Url = "/",
                    Description = "The host that serves this document (local development or your deployment).",
                    // For agencies and explorers, not only inside the company (OWASP API9: inventory).
                    Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(false) },
                },
            ];
            document.Tags = new HashSet<OpenApiTag>
            {
                // In the order of the work (Swagger UI shows them so): set up, plan, connect, measure, then read the status.
                new() { Name = "Organisations", Description = "Tenants (client brands) and their API keys. The bootstrap admin key creates organisations; an organisation's admin key manages its keys." },
                new() { Name = "Outcomes", Description = "Business outcomes owned by a conductor: a customer-centred result with KPIs, a window and a budget, under which the four disciplines plan. A KPI is defined here, on its outcome (`/outcomes/{outcomeId}/kpis`), and the KPI catalogue lists the KPIs of every outcome (`/outcomes/kpis`); what a KPI measures — its observed values and its progress — is under Results." },
                new() { Name = "Plans", Description = "Each discipline's plan (and pilots) under an outcome, and their activities: drafted and scheduled by orchestrators and agencies, approved by the conductor, executed and rolled up." },
                new() { Name = "Connections", Description = "The tight connections the conductor defines between the disciplines' work (dependencies, hand-offs, shared messages and audiences), kept honest: no cycles, conflicts derived from current dates, impact analysis and the critical path." },
                new() { Name = "Results", Description = "The closed loop: result batches recorded by the disciplines, the measures derived from them in the same moment, and what each KPI measures — the values observed (`/outcomes/{outcomeId}/kpis/{key}/observations`) and its progress against the window's pace (`/outcomes/{outcomeId}/kpi-progress`). A KPI itself is defined under Outcomes." },
                new() { Name = "Segments", Description = "Customer segments with their lifetime value and customer equity, which outcomes serve and KPIs can follow." },
                new() { Name = "Status", Description = "What CMOs ask: where an outcome stands across all disciplines, with a red/amber/green and its reasons — now or at any past moment, what changed between two moments, the portfolio of outcomes, a live stream of changes and the timeline as a picture." },
                new() { Name = "Baselines", Description = "Named moments of an outcome (e.g. the approved plan) to read its status against: variance in dates, budget and KPI progress." },
            };
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
            document.Components.Headers = ContractHeaders.All;
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
                // An enum first met as an optional query value is written with null among its values; the component
                // is shared, and where it may be null the reference says so (oneOf null).
                if (schema.Enum?.Any(v => v is null) == true)
                {
                    schema.Enum = [.. schema.Enum.Where(v => v is not null)];
                }
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

            ContractLimits.Apply(schema, context);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            AddRequestExample(operation, context);
            if (context.Description.HttpMethod is "POST" or "PATCH" or "PUT" or "DELETE"
                && operation.Parameters?.Any(p => p.Name == Idempotency.Header) != true)
            {
                // Every change honours Idempotency-Key, not only creates (the command pipeline reads the header).
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter { Name = Idempotency.Header, In = ParameterLocation.Header, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            }

            AddResponseExamples(operation, context);
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
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 64 },
                    Extensions = new Dictionary<string, IOpenApiExtension> { ["x-originalName"] = new JsonNodeExtension("ifNoneMatch") },
                });
                operation.Responses["304"].Description = "Not modified: the resource is still at the version named in If-None-Match.";
            }

            if (operation.RequestBody is OpenApiRequestBody body)
            {
                // The SDK names the body parameter `request` (NSwag reads x-name).
                body.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                body.Extensions["x-name"] = new JsonNodeExtension("request");
                body.Description ??= $"What to send to {char.ToLowerInvariant(operation.Summary![0])}{operation.Summary[1..]}, as JSON: its schema states every field and limit, and the example is a realistic one.{IdsFrom(context)}";
            }

            ContractHeaders.Declare(operation, context);
            ProblemList.Describe(operation);
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer(PropertyDescriptions.Apply);
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
            (Versions.IfMatchHeader, ParameterLocation.Header) => ("The `version` of the resource as you last read it (its ETag, quoted or not, works too). Missing: 428; stale: 412 (read it again and retry).", true),
            (Idempotency.Header, ParameterLocation.Header) => ("Up to 100 printable ASCII characters (e.g. a UUID), new for each change you mean. A retry with the same key and body returns the first answer and applies nothing twice (a change whose answer was lost answers as it did, not 412); the same key with another body is a 422. Keys are kept per organisation and operation.", false),
            ("outcomeId", ParameterLocation.Path) => ("The outcome's id.", true),
            ("planId", ParameterLocation.Path) => ("The plan's (or pilot's) id.", true),
            ("activityId", ParameterLocation.Path) => ("The activity's id; it must belong to the plan (or outcome) in the path.", true),
            ("connectionId", ParameterLocation.Path) => ("The connection's id.", true),
            ("segmentId", ParameterLocation.Path) => ("The segment's id.", true),
            ("baselineId", ParameterLocation.Path) => ("The baseline's id.", true),
            ("observationId", ParameterLocation.Path) => ("The observation's id.", true),
            ("activityId", ParameterLocation.Query) => ("Only items of this activity (connections: as a side, or through its whole plan as a side; results: its rows).", false),
            ("batchId", ParameterLocation.Query) => ("Only the rows of this batch (the `batchId` a recorded batch answered with).", false),
            ("kind", ParameterLocation.Query) => ("Only connections of this kind (exact name).", false),
            ("state", ParameterLocation.Query) => ("Only items in this state (exact name): connections with cancellations applied, or the portfolio's outcomes.", false),
            ("inConflict", ParameterLocation.Query) => ("true: only connections in schedule conflict now; false: only those without.", false),
            ("slipDays", ParameterLocation.Query) => ("Days the activity slips (its start and end move by as many), 0–365; default 0.", false),
            ("cancel", ParameterLocation.Query) => ("true: what if the activity is cancelled instead of slipping.", false),
            ("organisationId", ParameterLocation.Path) => ("The organisation's id.", true),
            ("keyId", ParameterLocation.Path) => ("The API key's id (the second part of the key).", true),
            ("key", ParameterLocation.Path) => ("The KPI's key within the outcome, e.g. `clv`.", true),
            ("status", ParameterLocation.Query) => ("Only items in this status (exact name).", false),
            ("discipline", ParameterLocation.Query) => ("Only this discipline's items (exact name).", false),
            ("channel", ParameterLocation.Query) => ("Only activities on this channel (exact name).", false),
            ("conductor", ParameterLocation.Query) => ("Only outcomes owned by this conductor (exact name, at most 200 characters).", false),
            ("asOf", ParameterLocation.Query) => ("A past moment (ISO 8601 date-time with offset, e.g. 2026-03-01T12:00:00Z): the answer as it was then, from the events recorded up to it. Omit for now; a future moment is a 400.", false),
            ("since", ParameterLocation.Query) => ("The earlier moment (ISO 8601 date-time with offset); not after `until`, not in the future.", true),
            ("until", ParameterLocation.Query) => ("The later moment (ISO 8601 date-time with offset); omit for now.", false),
            ("lastEventId", ParameterLocation.Query) => ("The `id` of the last status event you received (from this call or the live stream); omit it for a snapshot. Anything else is a 400.", false),
            ("Last-Event-ID", ParameterLocation.Header) => ("The `id` of the last event you received, to resume after a reconnect: the first event then catches you up on what changed since. Anything else is a 400.", false),
            ("rag", ParameterLocation.Query) => ("Only outcomes with this RAG (exact name).", false),
            ("disciplineWithProblems", ParameterLocation.Query) => ("Only outcomes where a reason of their RAG is about this discipline (exact name).", false),
            ("order", ParameterLocation.Query) => ("WorstFirst (default: red, amber, green, then ending soonest), EndingFirst, Title, MostSpent or Newest.", false),
            ("from", ParameterLocation.Query) => ("Only activities running (or result periods ending) on or after this day (yyyy-MM-dd).", false),
            ("to", ParameterLocation.Query) => ("Only activities running (or result periods starting) on or before this day (yyyy-MM-dd).", false),
            _ => null,
        };
        if (described is not { } d)
        {
            return;
        }

        parameter.Description ??= d.Text;
        parameter.Required |= d.Required;
        if (parameter.Schema is not OpenApiSchema schema)
        {
            return;
        }

        switch (parameter.Name)
        {
            case "limit":
                schema.Minimum = "1";
                schema.Maximum = Cursor.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
                schema.Default = System.Text.Json.Nodes.JsonValue.Create(Cursor.DefaultLimit);
                break;
            case "cursor":
                schema.MaxLength = 200;
                break;
            case "slipDays":
                schema.Minimum = "0";
                schema.Maximum = "365";
                break;
            case "conductor":
                schema.MaxLength = 200;
                break;
            case "lastEventId":
                schema.MaxLength = 20;
                break;
            case "Last-Event-ID":
                schema.MaxLength = 20;
                Rename(parameter, "lastEventId");
                break;
            case "key":
                schema.MaxLength = 64;
                schema.Pattern = "^[a-z0-9][a-z0-9_.-]{0,63}$";
                break;
            case Idempotency.Header:
                schema.MinLength = 1;
                schema.MaxLength = 100;
                schema.Pattern = "^[!-~]{1,100}$";
                Rename(parameter, "idempotencyKey");
                break;
            case Versions.IfMatchHeader:
                // A number in the contract (the `version` you read), so the SDK takes a long; the API also accepts
                // the quoted ETag. Optional in the handler only so that a missing header answers 428, not 400.
                parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1", Maximum = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                Rename(parameter, "expectedVersion");
                break;
        }
    }

    /// <summary>The name the SDK gives a header parameter (NSwag reads x-originalName): ifMatch, not if_Match.</summary>
    private static void Rename(OpenApiParameter parameter, string name)
    {
        parameter.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        parameter.Extensions["x-originalName"] = new JsonNodeExtension(name);
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

    private static string IdsFrom(OpenApiOperationTransformerContext context) =>
        context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source.Id == "Body")?.Type is { } body && typeof(IHasIdsFromOtherCalls).IsAssignableFrom(body)
            ? " " + (string)body.GetProperty(nameof(IHasIdsFromOtherCalls.IdsFrom), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!
            : "";

    /// <summary>Every JSON success answer shows a real one (<see cref="ContractExamples"/>), never Swagger UI's placeholders.</summary>
    private static void AddResponseExamples(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var json = context.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<JsonOptions>>().Value.SerializerOptions;
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (status[0] == '2' && response.Content?.TryGetValue("application/json", out var media) == true && media is OpenApiMediaType answer
                && context.Description.SupportedResponseTypes.FirstOrDefault(r => r.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) == status)?.Type is { } type
                && type != typeof(void))
            {
                answer.Example ??= ContractExamples.For(type, json);
            }
        }
    }

    /// <summary>Declares the problem statuses an endpoint can answer, so the SDK raises typed exceptions for them.</summary>
    public static TBuilder Problems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(Problem), ["application/problem+json"]));
        }

        return builder;
    }
}
