namespace OrchestraApi.Platform;

/// <summary>The organisation holds as many live streams open as it may (429 with Retry-After): others keep theirs.</summary>
public sealed class TooManyStreamsException(int limit) : Exception($"Your organisation already holds {limit} live streams open; close one, or poll instead, and retry.")
{
    public const int RetryAfterSeconds = 10;
}
