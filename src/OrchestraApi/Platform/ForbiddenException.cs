namespace OrchestraApi.Platform;

/// <summary>The key may not do this: 403.</summary>
public sealed class ForbiddenException(string message) : Exception(message);
