using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace OrchestraApi.Webhooks;

/// <summary>What one attempt came to.</summary>
/// <param name="RetryAfter">The wait the endpoint asked for (429 or 503 with Retry-After), if any.</param>
/// <param name="Final">No retry can succeed (the event is gone from the feed).</param>
public sealed record AttemptResult(WebhookAttempt Attempt, bool Delivered, bool Gone, TimeSpan? RetryAfter, bool Final = false);

/// <summary>A connection the SSRF guard refused: the destination resolves where webhooks may not go.</summary>
public sealed class WebhookDestinationRefusedException(string message) : Exception(message);

/// <summary>
/// Sends one delivery as Standard Webhooks describes: POST of the CloudEvent JSON with <c>webhook-id</c>,
/// <c>webhook-timestamp</c> and <c>webhook-signature</c>; redirects are not followed, no proxy is used, every
/// connection is checked by the SSRF guard against the addresses it actually connects to, and an attempt has a timeout.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly IWebhookResolver _resolver;
    private readonly WebhookSettings _settings;

    public WebhookSender(IOptions<WebhookSettings> settings, IWebhookResolver resolver)
    {
        _settings = settings.Value;
        _resolver = resolver;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = 16,
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("OrchestraApi-Webhooks/1.0");
    }

    /// <summary>The media type of a batch of events (CloudEvents' HTTP binding, batched mode): a JSON array of CloudEvents.</summary>
    public const string BatchMediaType = "application/cloudevents-batch+json";

    /// <summary>
    /// One attempt, synchronously: the dispatcher sends each outcome's deliveries in turn on a thread of its own, so a
    /// busy API's thread pool queue never sits between one delivery and the next. <paramref name="body"/> is one
    /// CloudEvent, or a JSON array of them when <paramref name="batch"/>.
    /// </summary>
    public AttemptResult Send(string url, WebhookSecrets secrets, string webhookId, string body, bool batch, DateTimeOffset now, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (WebhookDestinations.RefusalOfForm(url, _settings) is { } refusal)
        {
            return Failed($"Destination refused: the URL {refusal}");
        }

        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, batch ? BatchMediaType : "application/json") };
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", secrets.Sign(webhookId, timestamp, body, now));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(_settings.AttemptTimeoutSeconds));
        try
        {
            using var response = _http.Send(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var text = FirstBytes(response, timeout.Token);
            var status = (int)response.StatusCode;
            var delivered = status is >= 200 and < 300;
            var error = delivered ? null : status is >= 300 and < 400 ? "Redirects are not followed: answer 2xx at the registered URL." : $"The endpoint answered {status}.";
            var attempt = new WebhookAttempt(now, status, Elapsed(clock), text, error);
            return new AttemptResult(attempt, delivered, status == 410, status is 429 or 503 ? RetryAfter(response, now) : null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed($"No answer within {_settings.AttemptTimeoutSeconds} s.");
        }
        catch (HttpRequestException e)
        {
            return Failed(e.InnerException is WebhookDestinationRefusedException refused ? refused.Message : Bounded(e.Message));
        }

        AttemptResult Failed(string error) => new(new WebhookAttempt(now, null, Elapsed(clock), null, error), false, false, null);
    }

    public void Dispose() => _http.Dispose();

    private static int Elapsed(Stopwatch clock) => (int)Math.Min(int.MaxValue, clock.ElapsedMilliseconds);

    private static string Bounded(string text) => text.Length <= 500 ? text : text[..500];

    /// <summary>The first 4 KB of the answer as text, control characters replaced (NUL cannot be stored), or null when empty.</summary>
    private static string? FirstBytes(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = new byte[WebhookDelivery.MaxResponse];
        using var body = response.Content.ReadAsStream(ct);
        var read = 0;
        while (read < buffer.Length && body.Read(buffer.AsSpan(read)) is > 0 and var n)
        {
            read += n;
        }

        if (read == 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(buffer, 0, read);
        return string.Create(text.Length, text, (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = char.IsControl(source[i]) && source[i] is not ('\n' or '\r' or '\t') ? '\uFFFD' : source[i];
            }
        });
    }

    /// <summary>Retry-After as seconds or an HTTP date, at most a day.</summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var wait = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => (TimeSpan?)null,
        };
        return wait is null ? null : TimeSpan.FromTicks(Math.Clamp(wait.Value.Ticks, 0, TimeSpan.TicksPerDay));
    }

    /// <summary>The SSRF guard on every connection: the addresses the host resolves to now, each judged; refused if any is refused.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await WebhookDestinations.AddressesAsync(host, _resolver, ct);
        if (addresses.Length == 0)
        {
            throw new WebhookDestinationRefusedException($"Destination refused: {host} does not resolve.");
        }

        if (addresses.Select(a => WebhookDestinations.RefusalOf(a, _settings.AllowLoopback)).FirstOrDefault(r => r is not null) is { } refused)
        {
            throw new WebhookDestinationRefusedException($"Destination refused: {host} {refused}");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
