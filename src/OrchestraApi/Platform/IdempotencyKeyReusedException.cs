namespace OrchestraApi.Platform;

/// <summary>An Idempotency-Key was reused with a different request: 422.</summary>
public sealed class IdempotencyKeyReusedException() : Exception("This Idempotency-Key was already used with a different request; use a new key for a new request.");
