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

    /// <summary>The Server-Sent Events header a reconnecting client sends (the HTML standard's, not ours).</summary>
    private const string LastEventIdHeader = "Last-Event-ID";

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
                new() { Name = "Events", Description = "The organisation's feed of every change, in commit order: CloudEvents 1.0 envelopes at positions 1, 2, 3, … with no gap, read as pages (`GET /events`, with a long poll), as a Server-Sent Events stream resumed by position, and the catalogue of public event types with the schema of each one's payload." },
                new() { Name = "Webhooks", Description = "Endpoints that receive the feed's events as signed POSTs (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`), at least once and in order per outcome, retried on a published schedule over 3 days; every attempt recorded, replays and test sends. Admins only." },
                new() { Name = "Triggers", Description = "Opportunity triggers: business rules over the organisation's outcomes from a closed grammar (KPI pace and progress, connection trouble, activity ROI and cost per conversion, spend against budget, acknowledgements and results overdue, RAG), evaluated on every change and as time passes; each firing is on the feed (`orchestra.trigger.fired.v1`) with its evidence. Conductors for their outcomes, admins for the organisation; CMOs read." },
                new() { Name = "Tasks", Description = "Follow-up work a trigger's firing opened for a role or discipline, with its evidence: open, then done or dismissed by its assignee, a conductor or an admin." },
                new() { Name = "Maturity", Description = "Which stage of marketing execution the organisation has reached — closed-loop, event-driven, relationship-driven — measured from its own records, criterion by criterion, with a 12-month trend." },
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
                DescribeHeader(parameter);
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
        options.AddDocumentTransformer(Feed.FeedEndpoints.AddPayloadSchemas);
        options.AddDocumentTransformer(PropertyDescriptions.Apply);
    });

    /// <summary>
    /// The headers the platform reads, whichever endpoint names them: each defined once, here. Query and path
    /// parameters state their own meaning and limits as attributes, on the record or parameter that binds them.
    /// </summary>
    private static void DescribeHeader(OpenApiParameter header)
    {
        if (header is not { In: ParameterLocation.Header, Schema: OpenApiSchema schema })
        {
            return;
        }

        switch (header.Name)
        {
            case Versions.IfMatchHeader:
                header.Description ??= "The `version` of the resource as you last read it (its ETag, quoted or not, works too). Missing: 428; stale: 412 (read it again and retry).";
                header.Required = true;
                // A number in the contract (the `version` you read), so the SDK takes a long; the API also accepts
                // the quoted ETag. Optional in the handler only so that a missing header answers 428, not 400.
                header.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1", Maximum = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                Rename(header, "expectedVersion");
                break;
            case Idempotency.Header:
                header.Description ??= "Up to 100 printable ASCII characters (e.g. a UUID), new for each change you mean. A retry with the same key and body returns the first answer and applies nothing twice (a change whose answer was lost answers as it did, not 412); the same key with another body is a 422. Keys are kept per organisation and operation.";
                schema.MinLength = 1;
                schema.MaxLength = 100;
                schema.Pattern = "^[!-~]{1,100}$";
                Rename(header, "idempotencyKey");
                break;
            case LastEventIdHeader:
                header.Description ??= "The `id` of the last event you received, to resume after a reconnect: the first event then catches you up on what changed since. Anything else is a 400.";
                schema.MaxLength = 20;
                Rename(header, "lastEventId");
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
