using System.Globalization;

namespace OrchestraApi.Platform;

/// <summary>Optimistic concurrency at the edge: the stream version travels as ETag and comes back as If-Match.</summary>
public static class Versions
{
    public const string IfMatchHeader = "If-Match";

    public static string ETag(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Accepts <c>"3"</c>, <c>W/"3"</c> or a bare <c>3</c>; missing is 428, unreadable is 400.</summary>
    public static long Expected(string? ifMatch)
    {
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            throw new PreconditionRequiredException();
        }

        var value = ifMatch.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return long.TryParse(value.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : throw new InvalidInputException(IfMatchHeader, "must be the version (or ETag) of the resource as you last read it, e.g. \"3\".");
    }

    /// <summary>The check behind 412: the caller saw <paramref name="expected"/>, the stream is at <paramref name="actual"/>.</summary>
    public static void Ensure(long expected, long actual)
    {
        if (expected != actual)
        {
            throw new PreconditionFailedException($"You sent version {expected}, but the resource is at version {actual}; read it again and retry.");
        }
    }
}

/// <summary>A response that carries its resource's version; endpoints echo it as ETag.</summary>
public interface IVersioned
{
    long Version { get; }
}

public static class VersionedResponses
{
    /// <summary>Echoes the resource's version as its ETag.</summary>
    public static T WithETag<T>(this T resource, HttpContext http)
        where T : IVersioned
    {
        http.Response.Headers.ETag = Versions.ETag(resource.Version);
        return resource;
    }

    /// <summary>Sends a use case whose answer carries a version, and answers 200 with it as the ETag.</summary>
    public static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<T>> SendVersionedAsync<T>(this MediatR.IMediator mediator, MediatR.IRequest<T> request, HttpContext http, CancellationToken ct)
        where T : IVersioned =>
        TypedResults.Ok((await mediator.Send(request, ct)).WithETag(http));

    /// <summary>
    /// Reads a versioned resource: 200 with its version as the ETag, or 304 (no body) when the caller's
    /// If-None-Match already names that version, so a polling dashboard pays only for changes.
    /// </summary>
    public static async Task<Microsoft.AspNetCore.Http.HttpResults.Results<Microsoft.AspNetCore.Http.HttpResults.Ok<T>, Microsoft.AspNetCore.Http.HttpResults.StatusCodeHttpResult>> ReadVersionedAsync<T>(
        this MediatR.IMediator mediator, MediatR.IRequest<T> request, HttpContext http, CancellationToken ct)
        where T : IVersioned
    {
        var resource = (await mediator.Send(request, ct)).WithETag(http);
        var etag = Versions.ETag(resource.Version);
        var known = http.Request.Headers.IfNoneMatch.SelectMany(v => (v ?? "").Split(',')).Select(v => v.Trim());
        return known.Any(v => v == "*" || v == etag || v == $"W/{etag}")
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Ok(resource);
    }

    /// <summary>Names an operation after its use case (operationId, hence the SDK method) and documents it.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder builder, string useCase, string summary, string description) =>
        builder.WithName(useCase).WithSummary(summary).WithDescription(description);
}
