using System.Text.Json;
using System.Text.RegularExpressions;
using JasperFx;
using JasperFx.Events;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace OrchestraApi.Platform;

/// <summary>A business rule forbids the change: 409, naming the rule.</summary>
public sealed class RuleViolationException(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}

/// <summary>Input that is well-formed JSON but invalid for its field: 400, naming the field.</summary>
public sealed class InvalidInputException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>No such resource in the caller's organisation (unknown and foreign ids look the same): 404.</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>The key may not do this: 403.</summary>
public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>A mutation of an existing resource came without If-Match: 428.</summary>
public sealed class PreconditionRequiredException() : Exception("Send If-Match with the version (or ETag) you last read.");

/// <summary>The If-Match version is not the current one: 412.</summary>
public sealed class PreconditionFailedException(string message) : Exception(message);

/// <summary>An Idempotency-Key was reused with a different request: 422.</summary>
public sealed class IdempotencyKeyReusedException() : Exception("This Idempotency-Key was already used with a different request; use a new key for a new request.");

/// <summary>Unique indexes that stand for business rules: a violation is a 409 naming the rule, not a 500.</summary>
public static class UniqueRules
{
    private static readonly Dictionary<string, (string Rule, string Message)> Rules = [];

    public static void Add(string index, string rule, string message) => Rules[index] = (rule, message);

    public static RuleViolationException? Find(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { SqlState: "23505", ConstraintName: { } constraint }
                && Rules.FirstOrDefault(r => constraint.Contains(r.Key, StringComparison.Ordinal)) is { Key: not null } match)
            {
                return new RuleViolationException(match.Value.Rule, match.Value.Message);
            }
        }

        return null;
    }
}

/// <summary>
/// The one exception-to-problem mapper (RFC 9457). Policy: 400 malformed or invalid input (naming the field),
/// 401/403 auth, 404 unknown id in this organisation, 409 rule violated, 412 stale If-Match,
/// 422 Idempotency-Key reuse, 428 missing If-Match; anything else is a logged 500.
/// </summary>
public sealed partial class ProblemMapper(IProblemDetailsService problems, ILogger<ProblemMapper> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer, and nothing went wrong on our side.
            return true;
        }

        var problem = Map(exception);
        if (problem is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = new ProblemDetails { Status = 500, Title = "Unexpected error", Detail = "The request failed on our side; quote the traceId when you report it." };
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails? Map(Exception exception) => (UniqueRules.Find(exception) ?? exception) switch
    {
        InvalidInputException e => Invalid(e.Field, e.Message),
        BadHttpRequestException { InnerException: JsonException json } => InvalidJson(json),
        BadHttpRequestException e when BindingFailure().Match(e.Message) is { Success: true } m =>
            Invalid(JsonNamingPolicy.CamelCase.ConvertName(m.Groups["name"].Value), $"'{m.Groups["value"].Value}' is not a valid value."),
        BadHttpRequestException e => new ProblemDetails { Status = e.StatusCode, Title = "Bad request", Detail = e.Message },
        RuleViolationException e => new ProblemDetails { Status = 409, Title = "Rule violated", Detail = e.Message, Extensions = { ["rule"] = e.Rule } },
        NotFoundException e => new ProblemDetails { Status = 404, Title = "Not found", Detail = e.Message },
        ForbiddenException e => new ProblemDetails { Status = 403, Title = "Forbidden", Detail = e.Message },
        PreconditionRequiredException e => new ProblemDetails { Status = 428, Title = "If-Match required", Detail = e.Message },
        PreconditionFailedException e => new ProblemDetails { Status = 412, Title = "Stale version", Detail = e.Message },
        ConcurrencyException or EventStreamUnexpectedMaxEventIdException => new ProblemDetails
        {
            Status = 412, Title = "Stale version", Detail = "Someone changed this resource since the version you sent; read it again and retry.",
        },
        IdempotencyKeyReusedException e => new ProblemDetails { Status = 422, Title = "Idempotency-Key reused", Detail = e.Message },
        _ => null,
    };

    // ASP.NET Core's message for a query or route value that does not parse: 'Failed to bind parameter "T name" from "value".'
    [GeneratedRegex("^Failed to bind parameter \"(?:.* )?(?<name>\\w+)\" from \"(?<value>.*)\"\\.$")]
    private static partial Regex BindingFailure();

    private static HttpValidationProblemDetails Invalid(string field, string message) =>
        new(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400,
            Title = "Invalid input",
            Detail = $"{field}: {message}",
        };

    // System.Text.Json's messages name .NET types; clients know fields as JSON paths like "kpis[0].target".
    private static HttpValidationProblemDetails InvalidJson(JsonException json)
    {
        var field = json.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body";
        var message = json.Message;
        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var names = message.Split('\'').Where((_, i) => i % 2 == 1).Skip(1);
            var missing = string.Join(", ", names);
            return Invalid(field == "body" ? missing : $"{field}.{missing}", "is required.");
        }

        return Invalid(field, message switch
        {
            _ when message.Contains("could not be mapped", StringComparison.Ordinal) => "is not a field of this request.",
            _ when message.Contains("could not be converted", StringComparison.Ordinal) => "has a value of the wrong type, outside the allowed values or out of range.",
            _ when field == "body" && message.Contains("null", StringComparison.Ordinal) => "A request body is required.",
            _ => "is not valid JSON: " + message.Split(" Path:", 2)[0],
        });
    }
}
