using System.Diagnostics;
using System.Net;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Platform;

/// <summary>Two nodes of the API on one database: what one node holds in memory stays true after the other's writes.</summary>
public sealed class SeveralNodesTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task a_key_revoked_through_one_node_is_refused_by_another_that_had_it_in_memory_long_before_that_memory_expires()
    {
        await using var other = Api.StartAnotherNode();
        var organisation = await Api.NewOrganisationAsync();
        var admin = Api.Organisations(await organisation.KeyAsync(Role.Admin));
        var issued = await Api.Organisations().IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest { Name = "cmo", Role = Role.Cmo });
        using var throughOther = other.Http(issued.Key);
        // The other node authenticates the key, and keeps it in memory for 30 seconds.
        using (var before = await throughOther.GetAsync(new Uri("/outcomes", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await admin.RevokeApiKeyAsync(organisation.Id, issued.Id);
        var revoked = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var after = await throughOther.GetAsync(new Uri("/outcomes", UriKind.Relative));
            status = after.StatusCode;
            if (status == HttpStatusCode.OK)
            {
                await Task.Delay(20);
            }
        }
        while (status == HttpStatusCode.OK && revoked.Elapsed < TimeSpan.FromSeconds(10));

        // Refused well inside the 30 s the other node would otherwise have kept the key: it heard the revocation.
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Console.WriteLine($"The other node refused the revoked key {revoked.ElapsedMilliseconds} ms after the revocation was answered.");
    }
}
