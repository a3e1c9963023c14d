using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Platform;

public sealed class AuthorizationTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public void every_endpoint_names_an_authorization_policy_or_is_explicitly_anonymous()
    {
        var endpoints = Api.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var unguarded = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Where(e => !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy)))
            .Select(e => e.RoutePattern.RawText)
            .ToList();

        Assert.True(endpoints.Count > 10, "the endpoint table was read");
        Assert.Empty(unguarded);
    }

    [Theory]
    [InlineData(Role.Cmo)]
    [InlineData(Role.Orchestrator)]
    [InlineData(Role.Agency)]
    public async Task only_conductors_and_admins_change_outcomes(Role role)
    {
        var organisation = await Api.NewOrganisationAsync();
        var conductor = await organisation.OutcomesAsAsync(Role.Conductor);
        var outcome = await conductor.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        var other = await organisation.OutcomesAsAsync(role, role is Role.Orchestrator or Role.Agency ? [Discipline.Digital] : []);

        var define = await Assert.ThrowsAsync<ApiException<Problem>>(() => other.DefineOutcomeAsync(OutcomeSamples.Define()));
        var activate = await Assert.ThrowsAsync<ApiException<Problem>>(() => other.ActivateOutcomeAsync(outcome.Id, outcome.Version()));

        Assert.Equal(403, define.StatusCode);
        Assert.Equal(403, activate.StatusCode);
        var read = await other.GetOutcomeAsync(outcome.Id);
        Assert.Equal(OutcomeStatus.Draft, read.Status);
        Assert.Single((await other.ListOutcomesAsync()).Items);
    }

    [Fact]
    public async Task an_organisation_admin_may_change_outcomes()
    {
        var organisation = await Api.NewOrganisationAsync();
        var admin = await organisation.OutcomesAsAsync(Role.Admin);

        var outcome = await admin.DefineOutcomeAsync(OutcomeSamples.Define());

        Assert.Equal(OutcomeStatus.Draft, outcome.Status);
    }

    [Fact]
    public async Task only_the_bootstrap_key_creates_organisations_and_only_admins_issue_keys()
    {
        var organisation = await Api.NewOrganisationAsync();
        var admin = Api.Organisations(await organisation.KeyAsync(Role.Admin));
        var conductor = Api.Organisations(await organisation.KeyAsync(Role.Conductor));

        var create = await Assert.ThrowsAsync<ApiException<Problem>>(() => admin.CreateOrganisationAsync(new CreateOrganisationRequest { Name = "Mine" }));
        var issue = await Assert.ThrowsAsync<ApiException<Problem>>(() => conductor.IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest { Name = "x", Role = Role.Admin }));

        Assert.Equal(403, create.StatusCode);
        Assert.Equal(403, issue.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key")]
    [InlineData("orch_00000000000000000000000000000000_00000000000000000000000000000000_abc")]
    public async Task a_missing_or_unknown_key_is_a_401_problem(string? key)
    {
        using var http = Api.Http(key);

        using var response = await http.GetAsync(new Uri("/outcomes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task a_key_with_a_wrong_secret_is_a_401()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Cmo);
        using var http = Api.Http(key[..^4] + "0000");

        using var response = await http.GetAsync(new Uri("/outcomes", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
