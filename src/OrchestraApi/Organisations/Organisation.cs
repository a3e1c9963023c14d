using OrchestraApi.Kernel;

namespace OrchestraApi.Organisations;

/// <summary>A client brand: the tenant every other record belongs to. Stored in the platform's own tenant.</summary>
public sealed record Organisation(Guid Id, string Name, DateTimeOffset CreatedAt);

/// <summary>An issued API key: only the hash of its secret is kept.</summary>
public sealed record ApiKey(
    Guid Id,
    string Name,
    Role Role,
    IReadOnlyList<Discipline> Disciplines,
    string SecretHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt = null);

/// <summary>The tenant that holds platform-level records (the organisation registry).</summary>
public static class PlatformTenant
{
    public const string Id = "platform";
}
