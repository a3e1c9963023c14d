namespace OrchestraApi.Platform;

/// <summary>No such resource in the caller's organisation (unknown and foreign ids look the same): 404.</summary>
public sealed class NotFoundException(string message) : Exception(message);
