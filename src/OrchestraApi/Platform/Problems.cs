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

/// <summary>Invalid input: 400, one entry per field (JSON path, query parameter or header) with its messages.</summary>
public sealed class InvalidInputException(IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    public InvalidInputException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
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
/// <summary>The organisation holds as many live streams open as it may (429 with Retry-After): others keep theirs.</summary>
public sealed class TooManyStreamsException(int limit) : Exception($"Your organisation already holds {limit} live streams open; close one, or poll instead, and retry.")
{
    public const int RetryAfterSeconds = 10;
}

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

public static class ProblemResponses
{
    /// <summary>Answers with a problem document where no exception is involved (limits, authentication, readiness); its type and title are its status's.</summary>
    public static Task WriteProblemAsync(this HttpContext http, int status, string detail, IDictionary<string, object?>? extensions = null)
    {
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Detail = detail };
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[name] = value;
        }

        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }).AsTask();
    }
}

/// <summary>The database cannot be reached or is overloaded: 503 with Retry-After; the client may retry.</summary>
public static class DatabaseOutage
{
    public const int RetryAfterSeconds = 5;

    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// The one exception-to-problem mapper (RFC 9457). Policy: 400 malformed or invalid input (naming each field),
/// 401/403 auth, 404 unknown id in this organisation, 409 rule violated, 412 stale If-Match,
/// 422 Idempotency-Key reuse, 428 missing If-Match, 503 database unavailable; anything else is a logged 500.
/// Expected problems are the client's business: logged once at Information, without a stack trace.
/// </summary>
public sealed partial class ProblemMapper(IProblemDetailsService problems, Npgsql.NpgsqlDataSource database, ILogger<ProblemMapper> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer, and nothing went wrong on our side.
            return true;
        }

        var problem = Map(exception);
        if (problem is not null)
        {
            logger.LogInformation("{Method} {Path} answered {Status} {Title}: {Detail}", httpContext.Request.Method, httpContext.Request.Path, problem.Status, ProblemKinds.Of(problem.Status!.Value).Title, problem.Detail);
        }
        else if (DatabaseOutage.Is(exception))
        {
            logger.LogWarning("{Method} {Path} answered 503: the database is unavailable ({Reason})", httpContext.Request.Method, httpContext.Request.Path, exception.GetBaseException().Message);
            httpContext.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            problem = new ProblemDetails { Status = 503, Detail = $"The database is unavailable; nothing was changed. Retry in {Wording.Count(DatabaseOutage.RetryAfterSeconds, "second")}." };
        }
        else
        {
            if (IsDatabaseError(exception))
            {
                // A batch that failed in an unexpected way may leave its pooled connection out of step (prepared
                // statements, protocol state): retire every pooled connection rather than hand it to the next request.
                database.Clear();
            }

            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            problem = new ProblemDetails { Status = 500 };
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        if (exception is TooManyStreamsException)
        {
            httpContext.Response.Headers.RetryAfter = TooManyStreamsException.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (problem.Status == StatusCodes.Status413PayloadTooLarge)
        {
            // The rest of an oversized body is still on the wire: close the connection rather than read it.
            httpContext.Response.Headers.Connection = "close";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static bool IsDatabaseError(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException)
            {
                return true;
            }
        }

        return false;
    }

    private static ProblemDetails? Map(Exception exception) => (UniqueRules.Find(exception) ?? exception) switch
    {
        InvalidInputException e => Invalid(e.Errors),
        BadHttpRequestException { InnerException: JsonException json } => Invalid(json.Path is { Length: > 2 } path ? path.TrimStart('$', '.') : "body", "is not valid for this field."),
        BadHttpRequestException e when BindingFailure().Match(e.Message) is { Success: true } m =>
            Invalid(JsonNamingPolicy.CamelCase.ConvertName(m.Groups["name"].Value), AllowedValues(m.Groups["type"].Value)),
        // Its status's own detail (ProblemKinds): a body too large or too slow, or one that could not be read.
        BadHttpRequestException e => new ProblemDetails { Status = e.StatusCode },
        RuleViolationException e => new ProblemDetails { Status = 409, Detail = e.Message, Extensions = { ["rule"] = e.Rule } },
        NotFoundException e => new ProblemDetails { Status = 404, Detail = e.Message },
        ForbiddenException e => new ProblemDetails { Status = 403, Detail = e.Message },
        PreconditionRequiredException e => new ProblemDetails { Status = 428, Detail = e.Message },
        PreconditionFailedException e => new ProblemDetails { Status = 412, Detail = e.Message },
        ConcurrencyException or EventStreamUnexpectedMaxEventIdException => new ProblemDetails
        {
            Status = 412, Detail = "Someone changed this resource since the version you sent; read it again and retry.",
        },
        TooManyStreamsException e => new ProblemDetails { Status = 429, Detail = e.Message },
        IdempotencyKeyReusedException e => new ProblemDetails { Status = 422, Detail = e.Message },
        _ => null,
    };

    // ASP.NET Core's message for a query or route value that does not parse: 'Failed to bind parameter "T name" from "value".'
    [GeneratedRegex("^Failed to bind parameter \"(?:[\\w.]+\\.)?(?:Nullable<)?(?<type>\\w+)\\W* (?<name>\\w+)\" from \".*\"\\.$", RegexOptions.Singleline)]
    private static partial Regex BindingFailure();

    /// <summary>Names the allowed values of one of our enums; other types get a plain message (no .NET type names).</summary>
    private static string AllowedValues(string typeName) =>
        typeof(ProblemMapper).Assembly.GetTypes().FirstOrDefault(t => t.IsEnum && t.Name == typeName) is { } type
            ? $"must be one of: {string.Join(", ", Enum.GetNames(type))} (exact names)."
            : "is not a valid value.";

    private static HttpValidationProblemDetails Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    private static HttpValidationProblemDetails Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(errors.ToDictionary())
        {
            Status = 400,
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
        };
}

/// <summary>The problem document (RFC 9457) every 4xx and 5xx answer carries.</summary>
/// <param name="Type">A URI naming the kind of problem (RFC 9110 section for plain HTTP statuses).</param>
/// <param name="Title">Short and the same for every problem of its kind, e.g. "Rule violated".</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What went wrong this time, in a sentence meant for people.</param>
/// <param name="Instance">The request's path, where given.</param>
/// <param name="Errors">For invalid input (400): each offending field (a JSON path such as `kpis[0].direction`, a query parameter or a header) with its messages.</param>
/// <param name="Rule">For a rule violation (409): the rule's name, stable across releases, e.g. `plan-within-budget`.</param>
/// <param name="TraceId">Quote it when you report a problem; it finds the request in the API's logs.</param>
public sealed record Problem(
    string Title,
    int Status,
    string? Type = null,
    string? Detail = null,
    string? Instance = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Errors = null,
    string? Rule = null,
    string? TraceId = null);

/// <summary>
/// After the default writer (which writes only for clients accepting JSON): a problem is JSON whatever the client
/// accepts — e.g. a live stream's client sends Accept: text/event-stream and must still read why it got a 404.
/// </summary>
public sealed class ProblemsWhateverTheAccept(Microsoft.Extensions.Options.IOptions<ProblemDetailsOptions> options, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        options.Value.CustomizeProblemDetails?.Invoke(context);
        var problem = context.ProblemDetails;
        return new(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, "application/problem+json", context.HttpContext.RequestAborted));
    }
}
