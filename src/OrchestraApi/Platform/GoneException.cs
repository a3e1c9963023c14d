namespace OrchestraApi.Platform;

/// <summary>What was asked for is no longer kept (410), with what the client can ask for instead (the problem's extensions).</summary>
public sealed class GoneException(string message, IReadOnlyDictionary<string, object?> extensions) : Exception(message)
{
    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions;
}
