using System.Text.Json;

namespace OrchestraApi.Sdk;

/// <summary>
/// The API answered with a problem document (RFC 9457). Catch a subclass by meaning —
/// <see cref="ValidationProblemException"/> (400), <see cref="UnauthorizedProblemException"/> (401),
/// <see cref="ForbiddenProblemException"/> (403), <see cref="NotFoundProblemException"/> (404),
/// <see cref="ConflictProblemException"/> (409), <see cref="PreconditionFailedProblemException"/> (412, 428),
/// <see cref="IdempotencyKeyReusedProblemException"/> (422), <see cref="RateLimitedProblemException"/> (429, 503) —
/// or this for any problem.
/// </summary>
public class ProblemException : ApiException<Problem>
{
    public ProblemException(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers)
        : base(Describe(problem, statusCode), statusCode, response, headers, problem, null)
    {
        Problem = problem;
    }

    /// <summary>The problem document as the API sent it.</summary>
    public Problem Problem { get; }

    /// <summary>Short and the same for every problem of its kind, e.g. "Rule violated".</summary>
    public string Title => Problem.Title;

    /// <summary>What went wrong this time.</summary>
    public string? Detail => Problem.Detail;

    /// <summary>Quote it when you report a problem: it finds the request in the API's logs.</summary>
    public string? TraceId => Problem.TraceId;

    /// <summary>
    /// The Idempotency-Key the request carried (the SDK generates one for every change): after a 429 or 503 that
    /// outlasted the retries, send the same change again with this key and it applies once.
    /// </summary>
    public string? IdempotencyKey { get; internal set; }

    /// <summary>The title, detail, rule and trace id in one line, for logs.</summary>
    public override string Message => Describe(Problem, StatusCode);

    /// <summary>The exception for a problem answer, by its status.</summary>
    public static ProblemException From(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers) => statusCode switch
    {
        400 => new ValidationProblemException(problem, statusCode, response, headers),
        401 => new UnauthorizedProblemException(problem, statusCode, response, headers),
        403 => new ForbiddenProblemException(problem, statusCode, response, headers),
        404 => new NotFoundProblemException(problem, statusCode, response, headers),
        409 => new ConflictProblemException(problem, statusCode, response, headers),
        412 or 428 => new PreconditionFailedProblemException(problem, statusCode, response, headers),
        422 => new IdempotencyKeyReusedProblemException(problem, statusCode, response, headers),
        429 or 503 => new RateLimitedProblemException(problem, statusCode, response, headers),
        _ => new ProblemException(problem, statusCode, response, headers),
    };

    private static string Describe(Problem problem, int statusCode)
    {
        var rule = problem.Rule is null ? "" : $" (rule: {problem.Rule})";
        var trace = problem.TraceId is null ? "" : $" [traceId {problem.TraceId}]";
        return $"{statusCode} {problem.Title}: {problem.Detail}{rule}{trace}";
    }
}

/// <summary>400: invalid input; <see cref="Errors"/> names every offending field (JSON path, query parameter or header).</summary>
public sealed class ValidationProblemException(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers)
    : ProblemException(problem, statusCode, response, headers)
{
    /// <summary>Each offending field with its messages, e.g. <c>budget.currency</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors => Problem.Errors is { } errors ? errors.AsReadOnly() : new Dictionary<string, IReadOnlyList<string>>();
}

/// <summary>401: the API key is missing, unknown or revoked.</summary>
public sealed class UnauthorizedProblemException(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers)
    : ProblemException(problem, statusCode, response, headers);

/// <summary>403: this key's role (or organisation) may not do this; <see cref="ProblemException.Detail"/> says which roles may.</summary>
public sealed class ForbiddenProblemException(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers)
    : ProblemException(problem, statusCode, response, headers);

/// <summary>422: this Idempotency-Key was already used with another request; use a new key for a new change.</summary>
public sealed class IdempotencyKeyReusedProblemException(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers)
    : ProblemException(problem, statusCode, response, headers);

/// <summary>404: no such resource in your organisation.</summary>
public sealed class NotFoundProblemException(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers)
    : ProblemException(problem, statusCode, response, headers);

/// <summary>409: a business rule forbids the change; <see cref="Rule"/> names it (stable across releases).</summary>
public sealed class ConflictProblemException(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers)
    : ProblemException(problem, statusCode, response, headers)
{
    /// <summary>The rule's name, e.g. <c>plan-within-budget</c>.</summary>
    public string? Rule => Problem.Rule;
}

/// <summary>412 (someone changed the resource since you read it) or 428 (no version sent): read it again and retry.</summary>
public sealed class PreconditionFailedProblemException(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers)
    : ProblemException(problem, statusCode, response, headers);

/// <summary>
/// 429 (too many requests) or 503 (the database is unavailable), after the client's own retries ran out;
/// <see cref="RetryAfter"/> says when to try again.
/// </summary>
public sealed class RateLimitedProblemException(Problem problem, int statusCode, string? response, IReadOnlyDictionary<string, IEnumerable<string>> headers)
    : ProblemException(problem, statusCode, response, headers)
{
    /// <summary>How long the API asked to wait, if it said.</summary>
    public TimeSpan? RetryAfter { get; } = headers.TryGetValue("Retry-After", out var values) && int.TryParse(values.FirstOrDefault(), out var seconds)
        ? TimeSpan.FromSeconds(seconds)
        : null;
}

/// <summary>
/// Turns the API's problem answers into <see cref="ProblemException"/>s, and records what every answer said besides
/// its body for <see cref="ApiAnswers.Capture"/> (registered by AddOrchestraApiClient; add it to hand-built clients).
/// </summary>
public sealed class ProblemHandler : DelegatingHandler
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        ApiAnswers.Record(request, response);
        if ((int)response.StatusCode < 400 || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return response;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        Problem? problem;
        try
        {
            problem = JsonSerializer.Deserialize<Problem>(text, Json);
        }
        catch (JsonException)
        {
            problem = null;
        }

        if (problem is null)
        {
            // Not a problem document after all: the generated client reports it as it is.
            response.Content = new StringContent(text, System.Text.Encoding.UTF8, "application/problem+json");
            return response;
        }

        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        var status = (int)response.StatusCode;
        response.Dispose();
        var exception = ProblemException.From(problem, status, text, headers);
        exception.IdempotencyKey = request.Headers.TryGetValues(RetryHandler.IdempotencyKey, out var keys) ? keys.FirstOrDefault() : null;
        throw exception;
    }
}
