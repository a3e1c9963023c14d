namespace OrchestraApi.Platform;

/// <summary>The If-Match version is not the current one: 412.</summary>
public sealed class PreconditionFailedException(string message) : Exception(message);
