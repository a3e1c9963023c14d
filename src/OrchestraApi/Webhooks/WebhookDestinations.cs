using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

/// <summary>How webhooks are sent (<c>Orchestra:Webhooks</c>).</summary>
public sealed class WebhookSettings
{
    public const string Section = "Orchestra:Webhooks";

    /// <summary>
    /// The published retry schedule: the delay before each attempt after the first fails (9 retries, the last ~75 h
    /// after the first attempt), each with ±10 % jitter.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> PublishedSchedule =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
        TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    /// <summary>Allow destinations on loopback (127.0.0.0/8, ::1, localhost): local development and tests only.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Allow plain http (otherwise https only): local development and tests only.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Seconds an attempt may take, headers and the first 4 KB of the answer included.</summary>
    [Range(1, 60)]
    public int AttemptTimeoutSeconds { get; set; } = 15;

    /// <summary>Days of continuous failure after which the API disables an endpoint.</summary>
    [Range(1, 30)]
    public double DisableAfterDays { get; set; } = 5;

    /// <summary>Another retry schedule than the published one (tests); empty: the published one.</summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    public IReadOnlyList<TimeSpan> Schedule => RetryDelays.Count > 0 ? RetryDelays : PublishedSchedule;
}

/// <summary>Resolves a destination's host name to its addresses (a seam so tests never ask a DNS server).</summary>
public interface IWebhookResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct);
}

public sealed class DnsWebhookResolver : IWebhookResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>
/// Where webhooks may go (SSRF guard): the URL's form, and every address its host resolves to. Checked when an
/// endpoint is registered or its URL changes, and again on every connection the sender opens (so a name that resolves
/// elsewhere later is refused then).
/// </summary>
public static class WebhookDestinations
{
    public const int MaxUrlLength = 2000;

    private static readonly string[] MetadataHosts = ["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"];

    /// <summary>Why the URL may not be a destination as written, before any resolution; null when its form is fine.</summary>
    public static string? RefusalOfForm(string url, WebhookSettings settings)
    {
        if (url.Length > MaxUrlLength)
        {
            return $"is longer than {MaxUrlLength} characters.";
        }

        if (url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return "contains a control character or white space.";
        }

        if (url.Contains('\\', StringComparison.Ordinal))
        {
            // Parsers disagree on what a backslash means before the path: refuse the ambiguity.
            return "contains a backslash.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown || string.IsNullOrEmpty(uri.Host))
        {
            return "is not an absolute http(s) URL.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && settings.AllowHttp))
        {
            return settings.AllowHttp ? "must be http or https." : "must be https.";
        }

        if (uri.Port is < 1 or > 65535)
        {
            return "has no usable port (1–65535).";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry a user name or password (sign with the endpoint's secret instead).";
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "must not have a fragment (#…).";
        }

        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        if (MetadataHosts.Contains(host))
        {
            return "names a cloud metadata service.";
        }

        if ((host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal)) && !settings.AllowLoopback)
        {
            return "names this machine (loopback).";
        }

        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) && RefusalOf(literal, settings.AllowLoopback) is { } refused ? refused : null;
    }

    /// <summary>
    /// The decision on one address: null when a webhook may connect to it, else why not. Refused: loopback (unless
    /// allowed), private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 — the cloud metadata address —,
    /// fe80::/10), carrier-grade NAT (100.64/10), unspecified, broadcast, multicast, reserved, documentation and
    /// benchmarking ranges; IPv4 inside IPv6 (mapped, NAT64, 6to4) is judged as the IPv4 address.
    /// </summary>
    public static string? RefusalOf(IPAddress address, bool allowLoopback)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return RefusalOf(address.MapToIPv4(), allowLoopback);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            if (IPAddress.IPv6Loopback.Equals(address))
            {
                return allowLoopback ? null : "resolves to loopback.";
            }

            if (IPAddress.IPv6Any.Equals(address) || address.IsIPv6Multicast)
            {
                return "resolves to an unspecified or multicast address.";
            }

            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (b[0] & 0xFE) == 0xFC)
            {
                return "resolves to a private or link-local address.";
            }

            if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..12].All(x => x == 0))
            {
                return RefusalOf(new IPAddress(b[12..16]), allowLoopback);
            }

            if (b[0] == 0x20 && b[1] == 0x02)
            {
                return RefusalOf(new IPAddress(b[2..6]), allowLoopback);
            }

            if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
            {
                return "resolves to a documentation address.";
            }

            // Every other address outside 2000::/3 (global unicast) is reserved.
            return (b[0] & 0xE0) == 0x20 ? null : "resolves to a reserved address.";
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return "is not an IP address.";
        }

        var v4 = address.GetAddressBytes();
        return (v4[0], v4[1], v4[2]) switch
        {
            (127, _, _) => allowLoopback ? null : "resolves to loopback.",
            (0, _, _) => "resolves to an unspecified address.",
            (10, _, _) or (172, >= 16 and <= 31, _) or (192, 168, _) => "resolves to a private address.",
            (169, 254, _) => "resolves to a link-local address (where cloud metadata services answer).",
            (100, >= 64 and <= 127, _) => "resolves to a carrier-grade NAT address.",
            (192, 0, 0) or (192, 0, 2) or (198, 51, 100) or (203, 0, 113) or (198, 18 or 19, _) => "resolves to a reserved, documentation or benchmarking address.",
            ( >= 224, _, _) => "resolves to a multicast, reserved or broadcast address.",
            _ => null,
        };
    }

    /// <summary>The URL's form and every address of its host, as registration checks it: 400 naming <paramref name="field"/> when refused.</summary>
    public static async Task<string> CheckAsync(string url, WebhookSettings settings, IWebhookResolver resolver, string field, CancellationToken ct)
    {
        if (RefusalOfForm(url, settings) is { } refused)
        {
            throw new InvalidInputException(field, refused);
        }

        var uri = new Uri(url);
        var addresses = await AddressesAsync(uri.IdnHost, resolver, ct);
        if (addresses.Length == 0)
        {
            throw new InvalidInputException(field, $"names a host that does not resolve ({uri.Host}).");
        }

        if (addresses.Select(a => RefusalOf(a, settings.AllowLoopback)).FirstOrDefault(r => r is not null) is { } denied)
        {
            throw new InvalidInputException(field, denied);
        }

        return url;
    }

    /// <summary>The addresses of a host: itself when it is an address, else what it resolves to (none when it does not).</summary>
    public static async Task<IPAddress[]> AddressesAsync(string host, IWebhookResolver resolver, CancellationToken ct)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return [literal];
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            return await resolver.ResolveAsync(host, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException && !ct.IsCancellationRequested)
        {
            return [];
        }
    }
}
