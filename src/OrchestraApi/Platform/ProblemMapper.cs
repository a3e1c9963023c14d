using System.Text.Json;
using System.Text.RegularExpressions;
using JasperFx;
using JasperFx.Events;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace OrchestraApi.Platform;

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
        GoneException e => Gone(e),
        ForbiddenException e => new ProblemDetails { Status = 403, Detail = e.Message },
        PreconditionRequiredException e => new ProblemDetails { Status = 428, Detail = e.Message },
        PreconditionFailedException e => new ProblemDetails { Status = 412, Detail = e.Message },
        ConcurrencyException or EventStreamUnexpectedMaxEventIdException or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException => new ProblemDetails
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

    private static ProblemDetails Gone(GoneException e)
    {
        var problem = new ProblemDetails { Status = 410, Detail = e.Message };
        foreach (var (name, value) in e.Extensions)
        {
            problem.Extensions[name] = value;
        }

        return problem;
    }

    private static HttpValidationProblemDetails Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    private static HttpValidationProblemDetails Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(errors.ToDictionary())
        {
            Status = 400,
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
        };
}
