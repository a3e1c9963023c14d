using System.Globalization;
using Microsoft.OpenApi;

namespace OrchestraApi.Platform;

/// <summary>
/// Every operation's description ends with the problems it can answer, each with its meaning and the SDK exception
/// it arrives as, so the SDK's XML docs (and Swagger UI) list them where a caller reads the method.
/// </summary>
public static class ProblemList
{
    private static readonly Dictionary<string, string> Meanings = new(StringComparer.Ordinal)
    {
        ["400"] = "invalid input, every field named (ValidationProblemException)",
        ["401"] = "no valid API key (UnauthorizedProblemException)",
        ["403"] = "this key's role may not do it, the detail says who may (ForbiddenProblemException)",
        ["404"] = "not found in your organisation (NotFoundProblemException)",
        ["409"] = "a business rule forbids it, named in `rule` (ConflictProblemException)",
        ["412"] = "stale If-Match: read again and retry (PreconditionFailedProblemException)",
        ["413"] = "body too large (ProblemException)",
        ["414"] = "URL too long (ProblemException)",
        ["415"] = "body is not JSON (ProblemException)",
        ["422"] = "Idempotency-Key reused with another request (IdempotencyKeyReusedProblemException)",
        ["428"] = "If-Match missing (PreconditionFailedProblemException)",
        ["429"] = "too many requests, retried by the SDK, then RateLimitedProblemException with RetryAfter",
        ["431"] = "headers too large (ProblemException)",
        ["500"] = "unexpected error, nothing half-done (ProblemException)",
        ["503"] = "database unavailable, retried by the SDK, then RateLimitedProblemException with RetryAfter",
    };

    public static void Describe(OpenApiOperation operation)
    {
        var problems = operation.Responses?.Keys.Where(s => s.Length == 3 && s[0] is '4' or '5').Order(StringComparer.Ordinal).ToList() ?? [];
        if (problems.Count == 0)
        {
            return;
        }

        var list = string.Join("; ", problems.Select(s => $"{s} {Meanings.GetValueOrDefault(s, "(ProblemException)")}"));
        operation.Description = string.Create(CultureInfo.InvariantCulture, $"{operation.Description}\n\nProblems: {list}.");
    }
}
