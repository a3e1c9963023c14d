using System.ComponentModel;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrchestraApi.Platform;

namespace OrchestraApi.Feed;

public static class FeedEndpoints
{
    public const string LastEventIdHeader = "Last-Event-ID";

    private const string Wait = "Seconds to wait, 0–30 (default 0), when there is nothing new to answer: the call returns as soon as a matching event is numbered (typically within half a second of its commit), or empty when the time is up. With If-None-Match naming the head you know, it waits for the head to move and answers 304 if it did not.";

    public static IServiceCollection AddFeed(this IServiceCollection services)
    {
        services.AddOptions<FeedSettings>().BindConfiguration(FeedSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<FeedSignals>();
        services.AddSingleton<INodeNotifications>(provider => provider.GetRequiredService<FeedSignals>());
        services.AddScoped<FeedReader>();
        services.AddSingleton<FeedReads>();
        if (!Database.IsGeneratingOpenApiDocument)
        {
            services.AddHostedService<FeedRetention>();
        }

        return services;
    }

    public static void MapFeed(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("").WithTags("Events").RequireAuthorization(Policies.ReadOrganisation).Problems(400, 401, 403, 429, 503);
        events.MapGet("/events", List).Problems(410).Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(ListEvents), "List the organisation's events", """
                Every change of the organisation in the order it was committed, each a CloudEvents 1.0 envelope at its position in the organisation's feed: 1, 2, 3, … with no gap and none out of order, whatever is written concurrently (an event is numbered only once everything committed before it is). Read on with `after` = the page's `next`; `head` is the last position now. Filter by `types`, `resource` and `outcomeId`; a filtered page looks through at most 10,000 positions, so it may hold fewer than `limit` events before the head: go on with `next`. `wait` long-polls an idle head, and the ETag is the head: If-None-Match with it answers 304 while nothing new was numbered. Admins and CMOs read every event; conductors every event but the webhook endpoints' (the organisation's settings); an orchestrator or agency reads its disciplines' plans, activities, connections and results and the outcome-level changes. Events are kept 90 days (configurable): an older position is a 410 that names the oldest kept. Each type and the schema of its `data` are in the event catalogue (`GET /event-types`); new types may appear within v1.
                """);
        events.MapGet("/events/stream", Stream).Problems(410)
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .AddOpenApiOperationTransformer(DescribeStream)
            .Describe("OpenEventStream", "Watch the organisation's events live", """
                The feed as Server-Sent Events (`text/event-stream`): every event after the position in `Last-Event-ID` (or `after`; neither: from the oldest kept), then each new one as it is numbered, typically within half a second of its commit. Each SSE event's `id` is the position and its `data` a CloudEvent (JSON, the items of List the organisation's events); send the last `id` back as `Last-Event-ID` when you reconnect and nothing is missed or repeated. The same filters and visibility as the list. The C# SDK's `WatchEventsAsync` reads it as an `IAsyncEnumerable<CloudEvent>` and reconnects by itself. An organisation holds at most 1,000 streams open at once (429 with Retry-After beyond).
                """);
        events.MapGet("/event-types", () => TypedResults.Ok(new EventCatalogue(PublicEvents.Catalogue)))
            .Describe("ListEventTypes", "List the event types", "The catalogue of public event types, as in the feed and in webhooks: each type's name (`orchestra.{resource}.{what}.v1`), the kind of resource it changes, what it means and the name of its `data` schema in this document (components/schemas), which the C# SDK generates as a class (`EventDataOfActivityDetails`, …). Internal events are never shown; a type is renamed only in a new version (`.v2`).");
    }

    private static async Task<Results<Ok<EventPage>, StatusCodeHttpResult>> List(
        [AsParameters] FeedQuery query, [FromQuery, Description(Wait)] int? wait, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct)
    {
        var known = http.Request.Headers.IfNoneMatch.Select(v => v?.Trim().TrimStart('W', '/').Trim('"')).FirstOrDefault(v => long.TryParse(v, out _));
        var answer = await mediator.Send(new ListEvents(query, wait, known is null ? null : long.Parse(known, System.Globalization.CultureInfo.InvariantCulture), Caller.From(user)), ct);
        http.Response.Headers.ETag = $"\"{answer.Page.Head}\"";
        return answer.NotModified ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(answer.Page);
    }

    private static async Task<IResult> Stream(
        [AsParameters] FeedQuery query, [FromHeader(Name = LastEventIdHeader), Description("The `id` of the last event you received (its position); it wins over `after`. Anything but a number is a 400.")] string? lastEventId,
        ClaimsPrincipal user, FeedReader feed, HttpContext http)
    {
        var checkedQuery = query.Check();
        long? after = checkedQuery.After;
        if (!string.IsNullOrEmpty(lastEventId))
        {
            after = lastEventId.Length <= 19 && long.TryParse(lastEventId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position)
                ? position
                : throw new InvalidInputException(LastEventIdHeader, "is not a position of the feed (a whole number).");
        }

        var caller = Caller.From(user);
        // The first page answers 400 or 410 before the stream opens.
        var first = await feed.ReadAsync(checkedQuery, after, caller, http.RequestAborted);
        var open = feed.Signals.Open(feed.Tenant);
        http.Response.RegisterForDispose(open);
        return TypedResults.ServerSentEvents(Events(feed, checkedQuery, first, caller, http.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<CloudEvent>> Events(FeedReader feed, FeedQuery.Checked query, EventPage page, Caller caller, [EnumeratorCancellation] CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (var e in page.Items)
            {
                yield return new SseItem<CloudEvent>(e) { EventId = long.Parse(e.Sequence, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            }

            var moved = feed.Signals.NextMove(feed.Tenant);
            if (page.Items.Count == 0 || page.Next >= page.Head)
            {
                // Caught up: wait for the feed to move (or 5 s, should a signal be lost).
                await Task.WhenAny(moved, Task.Delay(TimeSpan.FromSeconds(5), ct));
            }

            if (ct.IsCancellationRequested)
            {
                yield break;
            }

            page = await feed.ReadAsync(query, page.Next, caller, ct);
        }
    }

    /// <summary>
    /// The event catalogue's payload schemas (<c>EventDataOf{Object}</c>), which no operation answers directly (an event's
    /// <c>data</c> is any of them): named in the document, each nested object a reference to its own schema as everywhere
    /// else, so the SDK generates one class per payload and reuses the resources' classes.
    /// </summary>
    public static async Task AddPayloadSchemas(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        var json = context.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        foreach (var type in PublicEvents.Objects)
        {
            var payload = typeof(EventData<>).MakeGenericType(type);
            await ComponentAsync(payload, document, context, json, ct);
            if (document.Components.Schemas[PayloadSchemaName(payload)] is OpenApiSchema { Properties: { } fields })
            {
                if (fields["object"] is OpenApiSchemaReference current)
                {
                    current.Description = "The resource after the change, as its GET (or its list) answers it at that version.";
                }

                fields["previous"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object | JsonSchemaType.Null,
                    Description = "What the change changed: each top-level field of `object` that differs, with its value before (`version` and `updatedAt` left out); null when the change created the resource or records a fact.",
                };
            }
        }

        // An event's data is any payload of the catalogue: free-form JSON in the envelope, typed by its `type`.
        if (document.Components.Schemas.TryGetValue(nameof(CloudEvent), out var cloudEvent) && cloudEvent is OpenApiSchema envelope
            && envelope.Properties is { } properties && properties.TryGetValue("data", out var data))
        {
            properties["data"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = data.Description };
            document.Components.Schemas.Remove(nameof(System.Text.Json.JsonElement));
        }
    }

    private static async Task<OpenApiSchemaReference> ComponentAsync(Type type, OpenApiDocument document, OpenApiDocumentTransformerContext context, System.Text.Json.JsonSerializerOptions json, CancellationToken ct)
    {
        var name = PayloadSchemaName(type);
        if (!document.Components!.Schemas!.ContainsKey(name))
        {
            var schema = (OpenApiSchema)await context.GetOrCreateSchemaAsync(type, null, ct);
            document.Components.Schemas[name] = schema;
            foreach (var property in json.GetTypeInfo(type).Properties)
            {
                var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                var info = json.GetTypeInfo(propertyType);
                if (schema.Properties is null || !schema.Properties.TryGetValue(property.Name, out var found) || found is not OpenApiSchema field)
                {
                    continue;
                }

                if (info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object && !propertyType.Namespace!.StartsWith("System", StringComparison.Ordinal))
                {
                    var reference = await ComponentAsync(propertyType, document, context, json, ct);
                    reference.Description = field.Description;
                    schema.Properties[property.Name] = reference;
                }
                else if (info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Enumerable && json.GetTypeInfo(info.ElementType!).Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object)
                {
                    field.Items = await ComponentAsync(info.ElementType!, document, context, json, ct);
                }
            }
        }

        return new OpenApiSchemaReference(name, document);
    }

    private static string PayloadSchemaName(Type type) =>
        type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}Of{type.GetGenericArguments()[0].Name}" : type.Name;

    /// <summary>The stream's answer: text/event-stream, each event's data a <see cref="CloudEvent"/>.</summary>
    private static Task DescribeStream(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.Responses ??= [];
        if (operation.Responses.GetValueOrDefault("200") is not OpenApiResponse ok)
        {
            operation.Responses["200"] = ok = new OpenApiResponse();
        }

        ok.Description = "The stream: per event `id:` its position and `data:` a CloudEvent as JSON (the items of List the organisation's events).";
        ok.Content = new Dictionary<string, OpenApiMediaType>
        {
            ["text/event-stream"] = new()
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", MaxLength = 1_000_000_000 },
                Example = System.Text.Json.Nodes.JsonValue.Create("id: 42\ndata: {\"specversion\":\"1.0\",\"id\":\"0193a5b0-7c1e-7d2a-9c4e-5f6a7b8c9d0e\",\"source\":\"/organisations/0193a5b0-0000-7000-8000-000000000001\",\"type\":\"orchestra.activity.rescheduled.v1\",\"subject\":\"/plans/…/activities/…\",\"time\":\"2026-03-01T12:00:00+00:00\",\"datacontenttype\":\"application/json\",\"sequence\":\"0000000000000000042\",\"partitionkey\":\"…\",\"data\":{\"object\":{},\"previous\":{},\"by\":\"digital-agency\"}}\n\n"),
            },
        };
        return Task.CompletedTask;
    }
}

/// <summary>The catalogue of public event types.</summary>
/// <param name="Types">Every public event type.</param>
public sealed record EventCatalogue([property: System.ComponentModel.DataAnnotations.MaxLength(200)] IReadOnlyList<EventTypeInfo> Types);
