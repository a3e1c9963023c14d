namespace OrchestraApi.Platform;

/// <summary>Invalid input: 400, one entry per field (JSON path, query parameter or header) with its messages.</summary>
public sealed class InvalidInputException(IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
{
    public InvalidInputException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}
