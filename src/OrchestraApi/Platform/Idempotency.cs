namespace OrchestraApi.Platform;

public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    private const int MaxLength = 100;

    /// <summary>Validates the header: at most 100 printable ASCII characters.</summary>
    public static string? Key(string? header) => Problem(header) is { } problem ? throw new InvalidInputException(Header, problem) : header;

    /// <summary>What is wrong with the header's value, or null.</summary>
    public static string? Problem(string? header) => header switch
    {
        null => null,
        { Length: 0 or > MaxLength } => $"must be 1-{MaxLength} characters.",
        _ when header.Any(c => c is < '!' or > '~') => "must be printable ASCII without spaces, e.g. a UUID.",
        _ => null,
    };
}
