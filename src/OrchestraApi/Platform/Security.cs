using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;

namespace OrchestraApi.Platform;

public static class OrchestraClaims
{
    public const string Organisation = "org";
    public const string Discipline = "discipline";
    public const string KeyId = "key";
}

/// <summary>Who may call what. Every endpoint names one of these (a test enforces it).</summary>
public static class Policies
{
    /// <summary>The bootstrap admin key: creates organisations.</summary>
    public const string PlatformAdmin = "platform-admin";

    /// <summary>The bootstrap key, or an organisation's admin key for its own organisation.</summary>
    public const string ManageKeys = "manage-keys";

    /// <summary>Any valid key, the bootstrap key included; the use case decides what it may see.</summary>
    public const string AnyKey = "any-key";

    /// <summary>Any key of the organisation (admin, cmo, conductor, orchestrator, agency).</summary>
    public const string ReadOrganisation = "read-organisation";

    /// <summary>Conductors and admins define and change outcomes.</summary>
    public const string ManageOutcomes = "manage-outcomes";

    /// <summary>Orchestrators and agencies (their own disciplines, checked per plan) and admins change plans and activities.</summary>
    public const string ManagePlans = "manage-plans";

    /// <summary>Conductors and admins approve or return plans.</summary>
    public const string ApprovePlans = "approve-plans";

    /// <summary>An organisation's admins manage its webhook endpoints and their deliveries.</summary>
    public const string ManageWebhooks = "manage-webhooks";

    /// <summary>Admins, CMOs and conductors read the organisation's triggers and their firings.</summary>
    public const string ReadTriggers = "read-triggers";

    /// <summary>Admins and CMOs of an organisation: its maturity stage.</summary>
    public const string ReadMaturity = "read-maturity";

    /// <summary>Who may use an operation under <paramref name="policy"/>, in a sentence (what a 403 answers).</summary>
    public static string WhoMay(string? policy) => policy switch
    {
        PlatformAdmin => "only the bootstrap admin key creates organisations.",
        ManageKeys => "it needs an Admin key of this organisation (or the bootstrap admin key).",
        ManageOutcomes => "it needs a Conductor or Admin key of the organisation.",
        ManagePlans => "it needs an Orchestrator or Agency key of the discipline concerned, or an Admin key.",
        ApprovePlans => "it needs a Conductor or Admin key of the organisation.",
        ReadOrganisation => "it needs a key of the organisation (any role).",
        ManageWebhooks => "it needs an Admin key of the organisation.",
        ReadTriggers => "it needs an Admin, CMO or Conductor key of the organisation.",
        ReadMaturity => "it needs an Admin or CMO key of the organisation.",
        _ => "this key's role or organisation does not allow it.",
    };

    public static void Add(AuthorizationBuilder authorization) => authorization
        .AddPolicy(ManagePlans, p => p.RequireClaim(OrchestraClaims.Organisation).RequireRole(nameof(Role.Admin), nameof(Role.Orchestrator), nameof(Role.Agency)))
        .AddPolicy(ApprovePlans, p => p.RequireClaim(OrchestraClaims.Organisation).RequireRole(nameof(Role.Admin), nameof(Role.Conductor)))
        .AddPolicy(PlatformAdmin, p => p.RequireClaim(ClaimTypes.Role, nameof(Role.Admin)).RequireAssertion(c => !c.User.HasClaim(x => x.Type == OrchestraClaims.Organisation)))
        .AddPolicy(ManageKeys, p => p.RequireRole(nameof(Role.Admin)))
        .AddPolicy(ReadOrganisation, p => p.RequireClaim(OrchestraClaims.Organisation))
        .AddPolicy(AnyKey, p => p.RequireAuthenticatedUser())
        .AddPolicy(ReadMaturity, p => p.RequireClaim(OrchestraClaims.Organisation).RequireRole(nameof(Role.Admin), nameof(Role.Cmo)))
        .AddPolicy(ReadTriggers, p => p.RequireClaim(OrchestraClaims.Organisation).RequireRole(nameof(Role.Admin), nameof(Role.Cmo), nameof(Role.Conductor)))
        .AddPolicy(ManageWebhooks, p => p.RequireClaim(OrchestraClaims.Organisation).RequireRole(nameof(Role.Admin)))
        .AddPolicy(ManageOutcomes, p => p.RequireClaim(OrchestraClaims.Organisation).RequireRole(nameof(Role.Admin), nameof(Role.Conductor)));
}

/// <summary>
/// API keys look like <c>orch_{organisation}_{key id}_{secret}</c>. The ids are not secret and find the
/// stored key; only a SHA-256 hash of the secret is stored, compared in constant time.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "orch";

    public static (string Token, string SecretHash) Create(Guid organisationId, Guid keyId)
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return ($"{Prefix}_{organisationId:N}_{keyId:N}_{secret}", Hash(secret));
    }

    public static bool TryParse(string token, out Guid organisationId, out Guid keyId, out string secret)
    {
        var parts = token.Split('_');
        organisationId = keyId = Guid.Empty;
        secret = string.Empty;
        if (parts is not [Prefix, var org, var key, var s] || !Guid.TryParseExact(org, "N", out organisationId) || !Guid.TryParseExact(key, "N", out keyId))
        {
            return false;
        }

        secret = s;
        return true;
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));
}

public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyLookup keys,
    IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || values.ToString() is not { Length: > 0 } token)
        {
            return AuthenticateResult.NoResult();
        }

        if (ConfiguredBootstrapKey() is { } bootstrap && ApiKeyFormat.Matches(token, ApiKeyFormat.Hash(bootstrap)))
        {
            return Success([new(ClaimTypes.Name, "bootstrap-admin"), new(ClaimTypes.Role, nameof(Role.Admin))]);
        }

        if (!ApiKeyFormat.TryParse(token, out var organisationId, out var keyId, out var secret))
        {
            return AuthenticateResult.Fail("Malformed API key.");
        }

        var key = await keys.FindAsync(organisationId, keyId, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null || !ApiKeyFormat.Matches(secret, key.SecretHash))
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        return Success([
            new(ClaimTypes.Name, key.Name),
            new(ClaimTypes.Role, key.Role.ToString()),
            new(OrchestraClaims.Organisation, organisationId.ToString()),
            new(OrchestraClaims.KeyId, keyId.ToString()),
            .. key.Disciplines.Select(d => new Claim(OrchestraClaims.Discipline, d.ToString())),
        ]);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{Header}\"";
        return Context.WriteProblemAsync(401, $"Send a valid, unrevoked API key in the {Header} header.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var policy = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        var role = Context.User.FindFirstValue(ClaimTypes.Role);
        return Context.WriteProblemAsync(403, $"This key{(role is null ? "" : $" (role {role})")} may not do this: {Policies.WhoMay(policy)}");
    }

    private string? ConfiguredBootstrapKey() => configuration[BootstrapKey.Setting] is { Length: >= 16 } key ? key : null;

    private static AuthenticateResult Success(Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
}

/// <summary>The authenticated caller, as the use cases need it.</summary>
public sealed record Caller(string Name, Role Role, IReadOnlySet<Discipline> Disciplines)
{
    public static Caller From(ClaimsPrincipal user) => new(
        user.Identity?.Name ?? "unknown",
        Enum.Parse<Role>(user.FindFirstValue(ClaimTypes.Role) ?? nameof(Role.Agency)),
        user.FindAll(OrchestraClaims.Discipline).Select(c => Enum.Parse<Discipline>(c.Value)).ToHashSet());
}
