namespace OrchestraApi.Platform;

/// <summary>A mutation of an existing resource came without If-Match: 428.</summary>
public sealed class PreconditionRequiredException() : Exception("Send If-Match with the version (or ETag) you last read.");
