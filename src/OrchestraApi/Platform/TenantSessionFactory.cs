using Marten;
using OrchestraApi.Organisations;

namespace OrchestraApi.Platform;

/// <summary>
/// Opens every request's Marten session for the organisation of the authenticated key, and no other. The bootstrap
/// key belongs to no organisation: its sessions open in the platform tenant (the organisation registry). Policies
/// keep it away from every organisation's data.
/// </summary>
public sealed class TenantSessionFactory(IDocumentStore store, IHttpContextAccessor http) : ISessionFactory
{
    public IQuerySession QuerySession() => store.QuerySession(TenantId());

    public IDocumentSession OpenSession() => store.LightweightSession(TenantId());

    private string TenantId() => TenantOf(http.HttpContext);

    /// <summary>The tenant of a request's sessions.</summary>
    public static string TenantOf(HttpContext? context) =>
        context?.User.FindFirst(OrchestraClaims.Organisation)?.Value
        ?? PlatformTenant.Id;
}
