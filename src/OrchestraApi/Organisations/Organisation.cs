namespace OrchestraApi.Organisations;

/// <summary>A client brand: the tenant every other record belongs to. Stored in the platform's own tenant.</summary>
public sealed record Organisation(Guid Id, string Name, DateTimeOffset CreatedAt);

/// <summary>The four marketing disciplines whose plans OrchestraApi links.</summary>
public enum Discipline
{
    Advertising,
    PublicRelations,
    Digital,
    Crm,
}

/// <summary>What a key may do in its organisation.</summary>
public enum Role
{
    /// <summary>Manages the organisation's keys and everything in it.</summary>
    Admin,

    /// <summary>Reads everything in the organisation.</summary>
    Cmo,

    /// <summary>Manages outcomes, connections and approvals.</summary>
    Conductor,

    /// <summary>Manages the plans and results of one discipline.</summary>
    Orchestrator,

    /// <summary>Acts for the disciplines it was granted.</summary>
    Agency,
}

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
