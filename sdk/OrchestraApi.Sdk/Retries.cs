using System.Globalization;

namespace OrchestraApi.Sdk;

/// <summary>
/// Retries what is safe to retry: 429 and 503 answers (the API changed nothing), and network failures of requests
/// that cannot apply twice — reads, changes carrying If-Match, and creates carrying an Idempotency-Key, which this
/// handler adds to every create that has none, so a retried create never duplicates. Waits the answer's
/// Retry-After, else backs off exponentially with jitter.
/// </summary>
public sealed class RetryHandler(OrchestraApiClientOptions options) : DelegatingHandler
{
    /// <summary>Marks a request that must not be retried after a network failure (issuing an API key).</summary>
    internal static readonly HttpRequestOptionsKey<bool> NotReplayable = new("OrchestraApi.NotReplayable");

    private const string IdempotencyKey = "Idempotency-Key";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var replayable = !request.Options.TryGetValue(NotReplayable, out var notReplayable) || !notReplayable;
        if (request.Method == HttpMethod.Post && replayable && !request.Headers.Contains("If-Match") && !request.Headers.Contains(IdempotencyKey))
        {
            request.Headers.Add(IdempotencyKey, Guid.NewGuid().ToString());
        }

        replayable &= request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Headers.Contains("If-Match") || request.Headers.Contains(IdempotencyKey);
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (replayable && attempt < options.MaxRetries && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                continue;
            }

            var status = (int)response.StatusCode;
            if (status is not (429 or 503) || attempt >= options.MaxRetries)
            {
                return response;
            }

            var delay = RetryAfter(response) ?? Backoff(attempt);
            if (delay > options.MaxRetryDelay)
            {
                // Longer than the caller is willing to wait: hand the answer over (a RateLimitedProblemException).
                return response;
            }

            response.Dispose();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var jittered = exponential * (0.8 + (Random.Shared.NextDouble() * 0.4));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, options.MaxRetryDelay.TotalMilliseconds));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero,
        _ => response.Headers.TryGetValues("Retry-After", out var values) && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null,
    };
}

public partial class OrganisationsClient
{
    // An issued key's secret is shown once, so issuing is not idempotent: never resend it after a network failure.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "A partial method the generated client declares.")]
    partial void PrepareRequest(HttpClient client, HttpRequestMessage request, string url)
    {
        if (request.Method == HttpMethod.Post && url.EndsWith("/api-keys", StringComparison.Ordinal))
        {
            request.Options.Set(RetryHandler.NotReplayable, true);
        }
    }
}
