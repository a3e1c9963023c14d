using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrchestraApi.Platform;

/// <summary>
/// What every answer carries, declared where it happens: rate-limit headers on every 2xx and 4xx, ETag on a
/// versioned resource, Location on a create, Retry-After on 429 and 503; and the problems any operation can answer
/// (408, 413 and 415 with a body; 414, 431 and 500 always), each with an example of the problem document.
/// </summary>
public static class ContractHeaders
{
    private static readonly string[] RateLimitHeaders = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"];

    public static Dictionary<string, IOpenApiHeader> All => new()
    {
        ["RateLimit-Limit"] = Header("Requests allowed in the current window for this key (or address).", JsonSchemaType.Integer),
        ["RateLimit-Remaining"] = Header("Requests left in the current window.", JsonSchemaType.Integer),
        ["RateLimit-Reset"] = Header("Seconds until the window resets.", JsonSchemaType.Integer),
        ["RateLimit-Policy"] = Header("The policy, e.g. `200;w=1` (200 requests per second).", JsonSchemaType.String),
        ["Retry-After"] = Header("Seconds to wait before retrying.", JsonSchemaType.Integer),
        ["ETag"] = Header("The resource's version, quoted: send it (or `version`) back as If-Match to change it, or as If-None-Match to poll.", JsonSchemaType.String),
        ["Location"] = Header("Where the created resource can be read.", JsonSchemaType.String),
        ["Trace-Id"] = Header("The id of the request's trace (32 hex digits, W3C trace context: a `traceparent` you send is continued), as a problem's `traceId`: quote it when you report something about this answer.", JsonSchemaType.String),
    };

    public static void Declare(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        operation.Responses ??= [];
        if (operation.RequestBody is not null)
        {
            Add(operation, 408, "The request body arrived too slowly; nothing changed.");
            Add(operation, 413, "The request body is larger than the API accepts (2 MB by default), whether its length is declared or the body is sent in chunks.", $"A request body may have at most {Wording.Count(HttpEdge.DefaultMaxBodyBytes, "byte")}.");
            Add(operation, 415, "The body is not JSON: send `Content-Type: application/json`.");
        }

        Add(operation, 414, $"The path and query string are longer than {Wording.Count(HttpEdge.MaxUrlLength, "character")}. {Beyond}", $"Path and query string may have at most {Wording.Count(HttpEdge.MaxUrlLength, "character")}.");
        Add(operation, 431, $"The request headers hold more than {Wording.Count(HttpEdge.MaxHeaderBytes, "byte")} in all. {Beyond}", $"Headers may have at most {Wording.Count(HttpEdge.MaxHeaderBytes, "byte")} in all.");
        Add(operation, 500, "Unexpected error on the API's side; nothing is half-done (every change is one transaction). Quote the traceId.");
        var versioned = context.Description.SupportedResponseTypes.Any(r => r.Type is { } t && typeof(IVersioned).IsAssignableFrom(t));
        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse declared)
            {
                continue;
            }

            declared.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (status[0] is '2' or '4')
            {
                foreach (var name in RateLimitHeaders)
                {
                    declared.Headers[name] = new OpenApiHeaderReference(name);
                }
            }

            if (status[0] == '2')
            {
                declared.Headers["Trace-Id"] = new OpenApiHeaderReference("Trace-Id");
            }

            if (status is "429" or "503")
            {
                declared.Headers["Retry-After"] = new OpenApiHeaderReference("Retry-After");
            }

            if (status is "200" or "201" or "304" && versioned)
            {
                declared.Headers["ETag"] = new OpenApiHeaderReference("ETag");
            }

            if (status == "201")
            {
                declared.Headers["Location"] = new OpenApiHeaderReference("Location");
            }

            if (status[0] is '4' or '5' && declared.Content?.TryGetValue("application/problem+json", out var media) == true && media is OpenApiMediaType problem)
            {
                problem.Example ??= Example(int.Parse(status, CultureInfo.InvariantCulture));
                declared.Description = Meaning(status) ?? declared.Description;
            }
        }
    }

    /// <summary>What a size limit's description adds: Kestrel itself refuses requests of twice the limit (<see cref="HttpEdge"/>).</summary>
    private const string Beyond = "At twice the limit or more the server refuses the request before the API reads it: the same status, without a body or RateLimit headers.";

    private static void Add(OpenApiOperation operation, int status, string description, string? detail = null)
    {
        operation.Responses![status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(Problem)), Example = Problem(status, detail ?? ProblemKinds.Of(status).Detail) },
            },
        };
    }

    private static string? Meaning(string status) => status switch
    {
        "400" => "Invalid input: every offending field in `errors`, nothing changed.",
        "401" => "No API key, or one that is unknown or revoked.",
        "403" => "The key's role (or disciplines) may not do this.",
        "404" => "No such resource in your organisation (another organisation's ids look the same).",
        "409" => "A business rule forbids it: `rule` names it; nothing changed.",
        "412" => "Stale If-Match: someone changed the resource since you read it; read it again and retry.",
        "422" => "This Idempotency-Key was already used with a different body.",
        "428" => "If-Match is missing: send the version you read.",
        "429" => "Too many requests: wait `Retry-After` seconds.",
        "503" => "The database is unavailable; nothing changed. Retry after `Retry-After` seconds.",
        _ => null,
    };

    private static JsonObject Example(int status) => status switch
    {
        400 => Problem(400, "budget.currency: must be an ISO 4217 code such as EUR.", errors: new JsonObject { ["budget.currency"] = new JsonArray("must be an ISO 4217 code such as EUR.") }),
        401 => Problem(401, "Send a valid, unrevoked API key in the X-Api-Key header."),
        403 => Problem(403, "This key may not change Advertising plans."),
        404 => Problem(404, "Outcome 0197c5a4-2a4e-7b8e-9c1d-5f0e4a3b2c1d was not found."),
        409 => Problem(409, "The activities cost 130,000.00 EUR, more than the plan's budget of 120,000.00 EUR.", rule: "plan-within-budget"),
        412 => Problem(412, "You sent version 3, but the resource is at version 5; read it again and retry."),
        422 => Problem(422, "This Idempotency-Key was already used with a different request; use a new key for a new request."),
        428 => Problem(428, "Send If-Match with the version (or ETag) you last read."),
        429 => Problem(429, "This key or client has spent its request budget; retry in 1 second."),
        503 => Problem(503, $"The database is unavailable; nothing was changed. Retry in {Wording.Count(DatabaseOutage.RetryAfterSeconds, "second")}."),
        _ => Problem(status, ProblemKinds.Of(status).Detail),
    };

    /// <summary>A problem document as the API writes it: its status's type and title (<see cref="ProblemKinds"/>).</summary>
    private static JsonObject Problem(int status, string detail, JsonObject? errors = null, string? rule = null)
    {
        var kind = ProblemKinds.Of(status);
        var problem = new JsonObject
        {
            ["type"] = kind.Type,
            ["title"] = kind.Title,
            ["status"] = status,
            ["detail"] = detail,
        };
        if (errors is not null)
        {
            problem["errors"] = errors;
        }

        if (rule is not null)
        {
            problem["rule"] = rule;
        }

        problem["traceId"] = "4bf92f3577b34da6a3ce929d0e0e4736";
        return problem;
    }

    private static OpenApiHeader Header(string description, JsonSchemaType type) => new()
    {
        Description = description,
        Schema = type == JsonSchemaType.Integer
            ? new OpenApiSchema { Type = type, Format = "int32", Minimum = "0", Maximum = int.MaxValue.ToString(CultureInfo.InvariantCulture) }
            : new OpenApiSchema { Type = type, MaxLength = 2048 },
    };
}
