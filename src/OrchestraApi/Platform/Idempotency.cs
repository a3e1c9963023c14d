namespace OrchestraApi.Platform;

public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    private const int MaxLength = 100;

    /// <summary>Validates the header: at most 100 printable ASCII characters.</summary>
    public static string? Key(string? header) => header switch
    {
        null => null,
        { Length: 0 or > MaxLength } => throw new InvalidInputException(Header, $"must be 1-{MaxLength} characters."),
        _ when header.Any(c => c is < '!' or > '~') => throw new InvalidInputException(Header, "must be printable ASCII without spaces, e.g. a UUID."),
        _ => header,
    };
}
