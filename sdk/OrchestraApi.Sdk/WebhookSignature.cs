using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrchestraApi.Sdk;

/// <summary>
/// Verifies a webhook from OrchestraApi as Standard Webhooks describes (standardwebhooks.com): the
/// <c>webhook-signature</c> header holds one or more <c>v1,{base64 HMAC-SHA256}</c> of <c>"{webhook-id}.{webhook-timestamp}.{body}"</c>,
/// keyed by the endpoint's secret (the bytes after <c>whsec_</c>). Pass every secret you accept (during a rotation,
/// the new and the old): any one matching signature is enough. Use the raw body as received, before parsing it.
/// <code>
/// var ok = WebhookSignature.Verify([secret], name => request.Headers[name].ToString(), body);
/// </code>
/// Dedupe on <c>webhook-id</c>: a retry or replay of an event carries the same one.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The clock skew accepted by default between the sender's timestamp and now: 5 minutes, as the reference verifiers.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>True when the message is signed by one of <paramref name="secrets"/> and its timestamp is within <paramref name="tolerance"/> of now.</summary>
    /// <param name="header">Reads a request header by name (e.g. <c>name => request.Headers[name].ToString()</c>); null or empty when absent.</param>
    public static bool Verify(IEnumerable<string> secrets, Func<string, string?> header, string body, TimeSpan? tolerance = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        return Verify(secrets, header(IdHeader), header(TimestampHeader), header(SignatureHeader), body, tolerance, now);
    }

    /// <summary>The same, from the three header values.</summary>
    public static bool Verify(IEnumerable<string> secrets, string? id, string? timestamp, string? signature, string body, TimeSpan? tolerance = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(signature)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253_402_300_799)
        {
            return false;
        }

        var skew = (now ?? DateTimeOffset.UtcNow) - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (skew.Duration() > (tolerance ?? DefaultTolerance))
        {
            return false;
        }

        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}");
        var given = signature.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s.StartsWith("v1,", StringComparison.Ordinal))
            .Select(s => TryBase64(s[3..]))
            .Where(s => s is not null)
            .ToList();
        foreach (var secret in secrets)
        {
            if (TryBase64(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret) is not { } key)
            {
                continue;
            }

            var expected = HMACSHA256.HashData(key, signed);
            if (given.Any(g => CryptographicOperations.FixedTimeEquals(g, expected)))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[]? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }
}
