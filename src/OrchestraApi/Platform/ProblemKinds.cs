using Microsoft.AspNetCore.WebUtilities;

namespace OrchestraApi.Platform;

/// <summary>A kind of problem: its RFC 9457 type, its title, and the detail it gets when whoever answered gave none.</summary>
public sealed record ProblemKind(string Type, string Title, string Detail);

/// <summary>
/// One type and one title per status, whoever answers it — the API, the framework or the edge — and the same in the
/// contract's examples: a client can switch on either.
/// </summary>
public static class ProblemKinds
{
    private const string Rfc9110 = "https://tools.ietf.org/html/rfc9110#section-";
    private const string Rfc6585 = "https://tools.ietf.org/html/rfc6585#section-";

    public static ProblemKind Of(int status) => status switch
    {
        400 => new(Rfc9110 + "15.5.1", "Invalid input", "The request could not be read."),
        401 => new(Rfc9110 + "15.5.2", "Unauthorized", "Send a valid, unrevoked API key in the X-Api-Key header."),
        403 => new(Rfc9110 + "15.5.4", "Forbidden", "This key's role or organisation does not allow this operation."),
        404 => new(Rfc9110 + "15.5.5", "Not found", "There is nothing at this address."),
        405 => new(Rfc9110 + "15.5.6", "Method not allowed", "This address does not take this method; the Allow header lists those it takes."),
        408 => new(Rfc9110 + "15.5.9", "Request timeout", "The request body arrived too slowly."),
        409 => new(Rfc9110 + "15.5.10", "Rule violated", "A business rule forbids this change."),
        410 => new(Rfc9110 + "15.5.11", "Gone", "What you asked for is no longer kept."),
        412 => new(Rfc9110 + "15.5.13", "Stale version", "Someone changed this resource since the version you sent; read it again and retry."),
        413 => new(Rfc9110 + "15.5.14", "Request body too large", "The request body is larger than this API accepts."),
        414 => new(Rfc9110 + "15.5.15", "URL too long", "The path and query string are longer than this API accepts."),
        415 => new(Rfc9110 + "15.5.16", "Unsupported media type", "Send the body as application/json."),
        422 => new(Rfc9110 + "15.5.21", "Idempotency-Key reused", "This Idempotency-Key was already used with a different request; use a new key for a new request."),
        428 => new(Rfc6585 + "3", "If-Match required", "Send If-Match with the version (or ETag) you last read."),
        429 => new(Rfc6585 + "4", "Too many requests", "Wait the seconds in Retry-After, then retry."),
        431 => new(Rfc6585 + "5", "Request headers too large", "The request headers are larger than this API accepts."),
        500 => new(Rfc9110 + "15.6.1", "Unexpected error", "The request failed on our side; quote the traceId when you report it."),
        503 => new(Rfc9110 + "15.6.4", "Service unavailable", "The API cannot answer now; nothing was changed. Retry after the seconds in Retry-After."),
        // RFC 9457 §4.2.1: no more to say than the status itself.
        _ => new("about:blank", ReasonPhrases.GetReasonPhrase(status), ReasonPhrases.GetReasonPhrase(status) + "."),
    };
}
