using System.ComponentModel.DataAnnotations;

namespace OrchestraApi.Platform;

/// <summary>The problem document (RFC 9457) every 4xx and 5xx answer carries.</summary>
/// <param name="Type">A URI naming the kind of problem (RFC 9110 section for plain HTTP statuses).</param>
/// <param name="Title">Short and the same for every problem of its kind, e.g. "Rule violated".</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What went wrong this time, in a sentence meant for people.</param>
/// <param name="Instance">The request's path, where given.</param>
/// <param name="Errors">For invalid input (400): each offending field (a JSON path such as `kpis[0].direction`, a query parameter or a header) with its messages.</param>
/// <param name="Rule">For a rule violation (409): the rule's name, stable across releases, e.g. `plan-within-budget`.</param>
/// <param name="TraceId">The id of the request's trace (32 hex digits; the trace of a `traceparent` you sent): quote it when you report a problem; it finds the request in the API's logs and traces.</param>
public sealed record Problem(
    [property: MaxLength(200)] string Title,
    int Status,
    [property: MaxLength(200)] string? Type = null,
    [property: MaxLength(ContractLimits.MaxWrittenText)] string? Detail = null,
    [property: MaxLength(2048)] string? Instance = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Errors = null,
    [property: MaxLength(100)] string? Rule = null,
    [property: MaxLength(100)] string? TraceId = null);
