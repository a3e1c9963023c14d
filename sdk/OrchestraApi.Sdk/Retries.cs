using System.Globalization;

namespace OrchestraApi.Sdk;

/// <summary>
/// Retries what is safe to retry, within <see cref="OrchestraApiClientOptions.RetryBudget"/> (30 s by default, long
/// enough to ride out an API restart): 429 and 503 answers (the API changed nothing), and network failures and a
/// proxy's 502 and 504 answers (the node that took the request died or did not answer: the change may or may not have
/// applied) of every request that cannot apply twice — reads, and every change, to which this handler adds an
/// Idempotency-Key when it has none (the API answers a retry with the first answer). Waits the answer's Retry-After, else backs off
/// exponentially with jitter. When the budget is spent, the failure names the Idempotency-Key it sent, so the caller
/// can retry the same change safely later (<see cref="ApiUnreachableException"/>, <see cref="ProblemException.IdempotencyKey"/>).
/// </summary>
public sealed class RetryHandler(OrchestraApiClientOptions options) : DelegatingHandler
{
    /// <summary>Marks a request that must not be retried after a network failure (issuing an API key: its secret is shown once).</summary>
    internal static readonly HttpRequestOptionsKey<bool> NotReplayable = new("OrchestraApi.NotReplayable");

    internal const string IdempotencyKey = "Idempotency-Key";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var read = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;
        if (!read && !request.Headers.Contains(IdempotencyKey))
        {
            request.Headers.Add(IdempotencyKey, Guid.NewGuid().ToString());
        }

        var key = request.Headers.TryGetValues(IdempotencyKey, out var keys) ? keys.FirstOrDefault() : null;
        var replayable = !(request.Options.TryGetValue(NotReplayable, out var notReplayable) && notReplayable);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
            {
                var wait = Backoff(attempt);
                if (!replayable || attempt >= options.MaxRetries || clock.Elapsed + wait > options.RetryBudget)
                {
                    throw new ApiUnreachableException(request, key, attempt + 1, clock.Elapsed, e);
                }

                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var status = (int)response.StatusCode;
            var retryable = status is 429 or 503 || (status is 502 or 504 && replayable);
            if (!retryable || attempt >= options.MaxRetries)
            {
                return response;
            }

            var delay = RetryAfter(response) ?? Backoff(attempt);
            if (delay > options.MaxRetryDelay || clock.Elapsed + delay > options.RetryBudget)
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
        var exponential = options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var jittered = exponential * (0.8 + (Random.Shared.NextDouble() * 0.4));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, options.MaxRetryDelay.TotalMilliseconds));
    }

    internal static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero,
        _ => response.Headers.TryGetValues("Retry-After", out var values) && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null,
    };
}

/// <summary>
/// The API could not be reached (network failure, or the API down) for as long as the retry budget allowed.
/// For a change, <see cref="IdempotencyKey"/> is the key it was sent with: retry later with that key (pass it as
/// <c>idempotencyKey</c>), and the change applies once whether or not an earlier attempt reached the API.
/// </summary>
public sealed class ApiUnreachableException(HttpRequestMessage request, string? idempotencyKey, int attempts, TimeSpan elapsed, HttpRequestException inner)
    : HttpRequestException($"{request.Method} {request.RequestUri?.AbsolutePath} did not reach OrchestraApi after {attempts} attempt{(attempts == 1 ? "" : "s")} over {elapsed.TotalSeconds:0.#} s: {inner.Message}{(idempotencyKey is null ? "" : $" Retry it with Idempotency-Key {idempotencyKey} to apply it once.")}", inner)
{
    /// <summary>The Idempotency-Key the request carried (generated by the SDK when you passed none); null for reads.</summary>
    public string? IdempotencyKey { get; } = idempotencyKey;

    /// <summary>How many times the request was sent.</summary>
    public int Attempts { get; } = attempts;
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
