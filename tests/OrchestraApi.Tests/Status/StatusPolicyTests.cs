using System.Net;
using System.Net.Http.Json;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Status;

/// <summary>The organisation's status policy (issue 22): the thresholds of the RAG rules, tuned like a trigger.</summary>
public sealed class StatusPolicyTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task the_defaults_are_version_one_and_a_revision_moves_every_status_now_while_an_earlier_moment_keeps_the_policy_then()
    {
        var organisation = await Api.NewOrganisationAsync();
        var conductor = Api.Status(await organisation.KeyAsync(Role.Conductor));
        var outcome = await BehindByTenPointsAsync(organisation);
        var defaults = await Api.Status(await organisation.KeyAsync(Role.Agency, Discipline.Crm)).GetStatusPolicyAsync();
        Assert.Equal((1L, 5m, 15m, 3), (defaults.Version, defaults.BehindPoints, defaults.FarBehindPoints, defaults.AcknowledgementDays));
        var before = await conductor.GetOutcomeStatusAsync(outcome);
        Assert.Equal(KpiPace.Behind, Assert.Single(before.Kpis).Pace);
        Assert.Contains(before.Reasons, r => (r.Rule, r.Level) == ("kpi-behind-pace", Rag.Amber));
        var portfolioBefore = (await conductor.GetPortfolioAsync()).Items.Single(i => i.OutcomeId == outcome);
        Assert.Equal(1, portfolioBefore.KpisBehindPace);
        var underDefaults = DateTimeOffset.UtcNow;

        var lenient = await conductor.ReviseStatusPolicyAsync(1, new ReviseStatusPolicyRequest { BehindPoints = 12.5m, FarBehindPoints = 30m });
        Assert.Equal((2L, 12.5m, 30m, 3), (lenient.Version, lenient.BehindPoints, lenient.FarBehindPoints, lenient.AcknowledgementDays));
        var after = await conductor.GetOutcomeStatusAsync(outcome);
        Assert.Equal(KpiPace.OnPace, Assert.Single(after.Kpis).Pace);
        Assert.DoesNotContain(after.Reasons, r => r.Rule.StartsWith("kpi-", StringComparison.Ordinal));
        Assert.Equal(0, (await conductor.GetPortfolioAsync()).Items.Single(i => i.OutcomeId == outcome).KpisBehindPace);
        Assert.Contains((await conductor.GetOutcomeStatusAsync(outcome, underDefaults)).Reasons, r => r.Rule == "kpi-behind-pace");

        var strict = await conductor.ReviseStatusPolicyAsync(2, new ReviseStatusPolicyRequest { BehindPoints = 2m, FarBehindPoints = 8m });
        Assert.Contains((await conductor.GetOutcomeStatusAsync(outcome)).Reasons, r => (r.Rule, r.Level) == ("kpi-far-behind-pace", Rag.Red));
        Assert.Equal(3L, strict.Version);

        // Another organisation keeps its own (the defaults), and the change is on the feed for every reader.
        Assert.Equal(1L, (await Api.Status(await (await Api.NewOrganisationAsync()).KeyAsync(Role.Admin)).GetStatusPolicyAsync()).Version);
        await Api.WaitForProjectionsAsync();
        var feed = (await Api.Events(await organisation.KeyAsync(Role.Agency, Discipline.Crm)).ListEventsAsync(resource: "status_policy")).Items;
        Assert.Equal(3, feed.Count);
        Assert.All(feed, e => Assert.Equal(("orchestra.status_policy.revised.v1", "/status-policy"), (e.Type, e.Subject)));
    }

    [Fact]
    public async Task revisions_follow_the_house_conventions_and_bad_thresholds_are_400s_that_change_nothing()
    {
        var organisation = await Api.NewOrganisationAsync();
        var admin = Api.Status(await organisation.KeyAsync(Role.Admin));
        Assert.Equal(403, await ApiCalls.StatusOf(async () => await Api.Status(await organisation.KeyAsync(Role.Cmo)).ReviseStatusPolicyAsync(1, new ReviseStatusPolicyRequest { BehindPoints = 4 })));
        Assert.Equal(403, await ApiCalls.StatusOf(async () => await Api.Status(await organisation.KeyAsync(Role.Agency, Discipline.Crm)).ReviseStatusPolicyAsync(1, new ReviseStatusPolicyRequest { BehindPoints = 4 })));
        Assert.Equal(412, await ApiCalls.StatusOf(() => admin.ReviseStatusPolicyAsync(2, new ReviseStatusPolicyRequest { BehindPoints = 4 })));

        using var http = Api.Http(await organisation.KeyAsync(Role.Admin));
        foreach (var (body, field) in new (string Body, string Field)[]
        {
            ("""{"behindPoints": 20}""", "behindPoints"),
            ("""{"farBehindPoints": 4}""", "farBehindPoints"),
            ("""{"behindPoints": 5.555}""", "behindPoints"),
            ("""{"behindPoints": -1}""", "behindPoints"),
            ("""{"farBehindPoints": 1e30}""", "farBehindPoints"),
            ("""{"acknowledgementDays": 0}""", "acknowledgementDays"),
            ("""{"acknowledgementDays": 366}""", "acknowledgementDays"),
            ("""{"acknowledgementDays": "three"}""", "acknowledgementDays"),
            ("""{"behindPoints": "5\u0000"}""", "behindPoints"),
            ("""{"ruleOfThumb": 1}""", "ruleOfThumb"),
            ("""[1, 2]""", "body"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, "/status-policy") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{body} → {problem}");
        }

        using (var unconditional = await http.PatchAsJsonAsync(new Uri("/status-policy", UriKind.Relative), new { behindPoints = 4 }))
        {
            Assert.Equal(HttpStatusCode.PreconditionRequired, unconditional.StatusCode);
        }

        Assert.Equal(1L, (await admin.GetStatusPolicyAsync()).Version);

        // Concurrent writers on one version: one wins, the others are 412s; concurrent retries of one key: one effect.
        var writers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => ApiCalls.StatusOf(() => admin.ReviseStatusPolicyAsync(1, new ReviseStatusPolicyRequest { AcknowledgementDays = 4 + i }))));
        Assert.Equal(1, writers.Count(s => s == 200));
        Assert.Equal(5, writers.Count(s => s == 412));
        var won = await admin.GetStatusPolicyAsync();
        var key = Guid.NewGuid().ToString();
        var retries = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => admin.ReviseStatusPolicyAsync(won.Version, new ReviseStatusPolicyRequest { BehindPoints = 7 }, key)));
        Assert.All(retries, r => Assert.Equal((won.Version + 1, 7m), (r.Version, r.BehindPoints)));
        Assert.Equal(won.Version + 1, (await admin.GetStatusPolicyAsync()).Version);
    }

    /// <summary>An active outcome whose one KPI is 10 points behind pace (21 % of its way, 31 % of its 100-day window gone).</summary>
    private async Task<Guid> BehindByTenPointsAsync(TestOrganisation organisation)
    {
        var conductor = await organisation.KeyAsync(Role.Conductor);
        var define = OutcomeSamples.Define(kpis: [new KpiDefinition { Key = "members", Name = "Loyalty members", Unit = "customers", Baseline = 100m, Target = 200m, Direction = KpiDirection.Up }]);
        define.StartsOn = Today.AddDays(-30);
        define.EndsOn = Today.AddDays(69);
        var outcomes = Api.Outcomes(conductor);
        var draft = await outcomes.DefineOutcomeAsync(define);
        await outcomes.ActivateOutcomeAsync(draft.Id, draft.Version);
        await Api.Results(conductor).ObserveKpiAsync(draft.Id, "members", new ObserveKpiRequest { Value = 121m, ObservedAt = DateTimeOffset.UtcNow });
        return draft.Id;
    }
}
