using System.Security.Cryptography;
using System.Text;

namespace OrchestraApi.Webhooks;

/// <summary>
/// An endpoint's signing secrets (a document of the organisation, never in an event, the feed or a log): the current
/// one and, during a rotation's overlap, the previous one, which signs alongside until it expires.
/// </summary>
public sealed record WebhookSecrets(Guid Id, string Current, string? Previous, DateTimeOffset? PreviousExpiresAt)
{
    public const string Prefix = "whsec_";

    /// <summary>A new secret: 32 random bytes, base64, prefixed <c>whsec_</c> (Standard Webhooks).</summary>
    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The secrets that sign at <paramref name="now"/>: the current one, and the previous one until it expires.</summary>
    public IEnumerable<string> SigningAt(DateTimeOffset now) =>
        Previous is not null && PreviousExpiresAt > now ? [Current, Previous] : [Current];

    /// <summary>
    /// The <c>webhook-signature</c> header of Standard Webhooks: <c>v1,{base64 HMAC-SHA256 of "id.timestamp.body"}</c>
    /// per signing secret, space-separated.
    /// </summary>
    public string Sign(string messageId, long timestamp, string body, DateTimeOffset now) =>
        string.Join(' ', SigningAt(now).Select(secret => $"v1,{Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}")))}"));

    private static byte[] KeyOf(string secret) => Convert.FromBase64String(secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret);
}
