using System.Net;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;

namespace OrchestraApi.Tests.Platform;

/// <summary>Two nodes of the API on one database: what one node holds in memory stays true after the other's writes.</summary>
public sealed class SeveralNodesTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task status_portfolio_and_catch_up_read_through_another_node_show_what_one_node_wrote_after_they_were_cached_there()
    {
        await using var other = Api.StartAnotherNode();
        var w = await ConnectionWorld.CreateAsync(Api);
        var cmoKey = await w.World.Organisation.KeyAsync(Role.Cmo);
        var elsewhere = other.Status(cmoKey);
        // The other node reads first: its schedule cache, portfolio and status memory now hold the outcome.
        var before = await elsewhere.GetOutcomeStatusAsync(w.OutcomeId);
        var portfolioBefore = Assert.Single((await elsewhere.GetPortfolioAsync()).Items);
        var since = await elsewhere.CatchUpOutcomeStatusAsync(w.OutcomeId);

        var film = await w.ActivityAsync(Discipline.Advertising, "Launch film", new DateOnly(2027, 3, 1), new DateOnly(2027, 3, 10));
        var outcomes = Api.Outcomes(await w.World.Organisation.KeyAsync(Role.Conductor));
        var outcome = await outcomes.GetOutcomeAsync(w.OutcomeId);
        await outcomes.ReviseOutcomeAsync(w.OutcomeId, outcome.Version, new ReviseOutcomeRequest { Title = "Renamed through node one" });

        var after = await elsewhere.GetOutcomeStatusAsync(w.OutcomeId);
        var portfolioAfter = Assert.Single((await elsewhere.GetPortfolioAsync()).Items);
        var caughtUp = await elsewhere.CatchUpOutcomeStatusAsync(w.OutcomeId, since.Id);
        Assert.Equal(0, before.Disciplines.Single(d => d.Discipline == Discipline.Advertising).Activities.Planned);
        Assert.Equal(1, after.Disciplines.Single(d => d.Discipline == Discipline.Advertising).Activities.Planned);
        Assert.Equal(outcome.Title, portfolioBefore.Title);
        Assert.Equal("Renamed through node one", portfolioAfter.Title);
        Assert.Contains((StatusChangeKind.ActivityAdded, $"activity {film.Id}"), caughtUp.Changes.Select(c => (c.Kind, c.About)));
    }

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
        var (status, after) = await ApiCalls.UntilRefusedAsync(throughOther, "/outcomes");

        // Refused well inside the 30 s the other node would otherwise have kept the key: it heard the revocation.
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Console.WriteLine($"The other node refused the revoked key {after.TotalMilliseconds:0} ms after the revocation was answered.");
    }
}
