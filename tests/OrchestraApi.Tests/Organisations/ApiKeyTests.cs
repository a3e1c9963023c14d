using System.Net;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Organisations;

public sealed class ApiKeyTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task keys_rotate_several_active_at_once_and_revocation_takes_effect_at_once()
    {
        var organisation = await Api.NewOrganisationAsync();
        var admin = Api.Organisations();
        var old = await admin.IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest { Name = "Agency X", Role = Role.Agency, Disciplines = [Discipline.Digital, Discipline.Crm] });
        var fresh = await admin.IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest { Name = "Agency X", Role = Role.Agency, Disciplines = [Discipline.Digital, Discipline.Crm] });

        Assert.StartsWith("orch_", old.Key, StringComparison.Ordinal);
        Assert.NotEqual(old.Key, fresh.Key);
        Assert.Equal([Discipline.Digital, Discipline.Crm], old.Disciplines);
        Assert.Empty((await Api.Outcomes(old.Key).ListOutcomesAsync()).Items);
        Assert.Empty((await Api.Outcomes(fresh.Key).ListOutcomesAsync()).Items);

        var revoked = await admin.RevokeApiKeyAsync(organisation.Id, old.Id);

        Assert.NotNull(revoked.RevokedAt);
        using var http = Api.Http(old.Key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/outcomes", UriKind.Relative))).StatusCode);
        Assert.Empty((await Api.Outcomes(fresh.Key).ListOutcomesAsync()).Items);
    }

    [Fact]
    public async Task listed_keys_never_show_their_secret()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Cmo);
        using var http = Api.Http(ApiFixture.BootstrapKey);

        var body = await http.GetStringAsync(new Uri($"/organisations/{organisation.Id}/api-keys", UriKind.Relative));

        Assert.Contains("Cmo key", body, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Split('_')[^1], body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Role.Orchestrator, new Discipline[0])]
    [InlineData(Role.Orchestrator, new[] { Discipline.Digital, Discipline.Crm })]
    [InlineData(Role.Agency, new Discipline[0])]
    [InlineData(Role.Cmo, new[] { Discipline.Digital })]
    public async Task disciplines_must_fit_the_role(Role role, Discipline[] disciplines)
    {
        var organisation = await Api.NewOrganisationAsync();

        var e = await Assert.ThrowsAsync<ApiException<Problem>>(() =>
            Api.Organisations().IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest { Name = "x", Role = role, Disciplines = disciplines }));

        Assert.Equal(400, e.StatusCode);
        Assert.True(e.Result.Errors?.ContainsKey("disciplines"));
        Assert.Empty((await Api.Organisations().ListApiKeysAsync(organisation.Id)).Items);
    }

    [Fact]
    public async Task an_unknown_organisation_is_a_404()
    {
        var e = await Assert.ThrowsAsync<ApiException<Problem>>(() =>
            Api.Organisations().IssueApiKeyAsync(Guid.NewGuid(), new IssueApiKeyRequest { Name = "x", Role = Role.Cmo }));

        Assert.Equal(404, e.StatusCode);
    }
}
