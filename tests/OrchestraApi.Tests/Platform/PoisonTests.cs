using System.Net;
using System.Text;
using Marten;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Platform;

/// <summary>One organisation's bad input must never fail another organisation's requests (issue 8, defect 1).</summary>
public sealed class PoisonTests(ApiFixture api) : ApiTest(api)
{
    private const string Outcome = """
        {"title":"TITLE","conductor":"Ada","startsOn":"2027-01-01","endsOn":"2027-12-31","budget":{"amount":1000,"currency":"EUR"}}
        """;

    [Fact]
    public async Task failing_requests_of_one_organisation_never_fail_another_organisations_requests_on_a_fresh_api()
    {
        await using var fresh = await Api.StartFreshApiAsync();
        var a = await fresh.NewOrganisationAsync("A");
        var b = await fresh.NewOrganisationAsync("B");
        using var attacker = fresh.Http(await a.KeyAsync(Role.Admin));
        using var victim = fresh.Http(await b.KeyAsync(Role.Conductor));
        var outcome = await fresh.Outcomes(await a.KeyAsync(Role.Conductor)).DefineOutcomeAsync(Outcomes.OutcomeSamples.Define(kpis: Outcomes.OutcomeSamples.Clv()));
        outcome = await fresh.Outcomes(await a.KeyAsync(Role.Conductor)).ActivateOutcomeAsync(outcome.Id, 2);
        var draft = $$"""{"outcomeId":"{{outcome.Id}}","discipline":"Crm","title":"CRM","orchestrator":"Grace","budget":{"amount":10,"currency":"EUR"} }""";

        // NUL bodies, concurrent writers on one version (412s from the database) and concurrent drafts of one
        // discipline's plan (409s from a unique index), all mixed with another organisation's valid creates.
        var hostile = Enumerable.Range(0, 60).Select(_ => (Func<Task<Answer>>)(() => Send(attacker, HttpMethod.Post, "/outcomes", Outcome.Replace("TITLE", "bad\\u0000title", StringComparison.Ordinal))))
            .Concat(Enumerable.Range(0, 20).Select(i => (Func<Task<Answer>>)(() => Send(attacker, HttpMethod.Patch, $"/outcomes/{outcome.Id}", $$"""{"title":"Revision {{i}}"}""", ifMatch: "3"))))
            .Concat(Enumerable.Range(0, 20).Select(_ => (Func<Task<Answer>>)(() => Send(attacker, HttpMethod.Post, "/plans", draft))))
            .ToList();
        var valid = Enumerable.Range(0, 180).Select(i => (Func<Task<Answer>>)(() => Send(victim, HttpMethod.Post, "/outcomes", Outcome.Replace("TITLE", $"good {i}", StringComparison.Ordinal)))).ToList();
        var interleaved = hostile.Zip(valid, (h, v) => new[] { h, v }).SelectMany(x => x).Concat(valid.Skip(hostile.Count));
        var answers = await Task.WhenAll(interleaved.Select(send => send()));

        var good = answers.Where(x => x.Client == victim).ToList();
        var bad = answers.Where(x => x.Client == attacker).ToList();
        Assert.Equal(180, good.Count);
        Assert.All(good, x => Assert.True(x.Status == HttpStatusCode.Created, $"{x.Status} {x.Body}"));
        Assert.All(bad, x => Assert.True((int)x.Status is >= 200 and < 500, $"{x.Status} {x.Body}"));
        Assert.Equal(60, bad.Count(x => x.Status == HttpStatusCode.BadRequest && x.Body.Contains("\"title\"", StringComparison.Ordinal)));
        Assert.Equal(1, bad.Count(x => x.Status == HttpStatusCode.OK));
        Assert.Equal(1, bad.Count(x => x.Status == HttpStatusCode.Created));
        Assert.Equal(180, await CountOutcomesAsync(fresh, b.Id));
        Assert.Equal(1, await CountOutcomesAsync(fresh, a.Id));
    }

    private static async Task<int> CountOutcomesAsync(ApiFixture host, Guid organisationId)
    {
        await using var session = host.Store.QuerySession(organisationId.ToString());
        return await session.Query<OrchestraApi.Outcomes.Outcome>().CountAsync();
    }

    private static async Task<Answer> Send(HttpClient client, HttpMethod method, string url, string body, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        using var response = await client.SendAsync(request);
        return new Answer(client, response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private sealed record Answer(HttpClient Client, HttpStatusCode Status, string Body);
}
