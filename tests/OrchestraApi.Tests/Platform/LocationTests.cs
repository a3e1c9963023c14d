using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;
using OrchestraApi.Tests.Plans;

namespace OrchestraApi.Tests.Platform;

/// <summary>Every create answers 201 with a Location that answers a GET; every resource with an id can be read by it.</summary>
public sealed class LocationTests(ApiFixture api) : ApiTest(api)
{
    private static async Task<JsonElement> CreatedAsync(HttpClient http, string url, object body, string? ifMatch = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        using var created = await http.SendAsync(request);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"POST {url}: {created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        var location = created.Headers.Location ?? throw new InvalidOperationException($"POST {url}: no Location");
        using var read = await http.GetAsync(location);
        Assert.True(read.StatusCode == HttpStatusCode.OK, $"GET {location} (Location of POST {url}): {read.StatusCode}");
        return JsonSerializer.Deserialize<JsonElement>(await read.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task the_location_of_every_create_answers_a_get_with_what_was_created()
    {
        using var bootstrap = Api.Http(ApiFixture.BootstrapKey);
        var organisation = await CreatedAsync(bootstrap, "/organisations", new { name = "Northwind Coffee" });
        var organisationId = organisation.GetProperty("id").GetGuid();
        var key = await CreatedAsync(bootstrap, $"/organisations/{organisationId}/api-keys", new { name = "Ada", role = "Admin" });
        var world = new TestOrganisation(Api, organisationId);
        using var admin = Api.Http(await world.KeyAsync(Role.Admin));
        var outcome = await CreatedAsync(admin, "/outcomes", OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));
        var outcomeId = outcome.GetProperty("id").GetGuid();
        var kpi = await CreatedAsync(admin, $"/outcomes/{outcomeId}/kpis", OutcomeSamples.Churn(), ifMatch: outcome.GetProperty("version").ToString());
        var active = await Api.Outcomes(await world.KeyAsync(Role.Conductor)).ActivateOutcomeAsync(outcomeId, (await Api.Outcomes(await world.KeyAsync(Role.Conductor)).GetOutcomeAsync(outcomeId)).Version);
        var plan = await CreatedAsync(admin, "/plans", new { outcomeId, discipline = "Crm", title = "CRM plan", orchestrator = "Grace", budget = new { amount = 100_000m, currency = "EUR" } });
        var activity = await CreatedAsync(admin, $"/plans/{plan.GetProperty("id")}/activities", PlanWorld.Activity());

        Assert.Equal("Northwind Coffee", organisation.GetProperty("name").GetString());
        Assert.Equal(("Ada", JsonValueKind.Null), (key.GetProperty("name").GetString(), key.GetProperty("revokedAt").ValueKind));
        Assert.False(key.TryGetProperty("key", out _));
        Assert.Equal(OutcomeStatus.Active, active.Status);
        Assert.Equal("churn", kpi.GetProperty("key").GetString());
        Assert.Equal("Crm", plan.GetProperty("discipline").GetString());
        Assert.Equal(plan.GetProperty("id").GetGuid(), activity.GetProperty("planId").GetGuid());
    }

    [Fact]
    public async Task an_organisation_and_its_keys_are_read_by_their_own_keys_or_the_bootstrap_key_and_are_not_found_by_others()
    {
        var mine = await Api.NewOrganisationAsync("Mine");
        var theirs = await Api.NewOrganisationAsync("Theirs");
        var myCmo = Api.Organisations(await mine.KeyAsync(Role.Cmo));
        var myAdmin = Api.Organisations(await mine.KeyAsync(Role.Admin));
        var theirAdmin = Api.Organisations(await theirs.KeyAsync(Role.Admin));
        var myKey = (await myAdmin.ListApiKeysAsync(mine.Id)).Items[0];

        Assert.Equal("Mine", (await myCmo.GetOrganisationAsync(mine.Id)).Name);
        Assert.Equal("Theirs", (await Api.Organisations().GetOrganisationAsync(theirs.Id)).Name);
        Assert.Equal(myKey.Id, (await myAdmin.GetApiKeyAsync(mine.Id, myKey.Id)).Id);
        Assert.Equal(404, await ApiCalls.StatusOf(() => theirAdmin.GetOrganisationAsync(mine.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => theirAdmin.GetApiKeyAsync(mine.Id, myKey.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => theirAdmin.GetApiKeyAsync(theirs.Id, myKey.Id)));
        Assert.Equal(403, await ApiCalls.StatusOf(() => myCmo.GetApiKeyAsync(mine.Id, myKey.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => myCmo.GetOrganisationAsync(Guid.NewGuid())));
    }

    [Fact]
    public async Task adding_a_kpi_is_a_create_a_retry_with_its_idempotency_key_replays_and_a_read_by_key_of_another_organisation_is_404()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var other = await (await Api.NewOrganisationAsync("Other")).OutcomesAsAsync(Role.Cmo);
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: OutcomeSamples.Clv()));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => outcomes.AddKpiAsync(outcome.Id, outcome.Version, OutcomeSamples.Churn(), "add-churn-1")));

        Assert.Single(attempts.Select(a => a.Version).Distinct());
        Assert.Equal(["clv", "churn"], (await outcomes.GetOutcomeAsync(outcome.Id)).Kpis.Select(k => k.Key));
        Assert.Equal("churn", (await outcomes.GetKpiAsync(outcome.Id, "churn")).Key);
        Assert.Equal(404, await ApiCalls.StatusOf(() => outcomes.GetKpiAsync(outcome.Id, "nope")));
        Assert.Equal(404, await ApiCalls.StatusOf(() => other.GetKpiAsync(outcome.Id, "churn")));
    }

    [Fact]
    public async Task an_outcomes_plans_are_cursor_paginated_and_its_budget_allocation_is_read_on_its_own()
    {
        var world = await PlanWorld.CreateAsync(Api);
        var crm = await world.OrchestratorAsync(Discipline.Crm);
        var drafted = new List<Guid> { (await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 100_000m))).Id };
        for (var i = 0; i < 4; i++)
        {
            drafted.Add((await crm.DraftPlanAsync(world.Plan(Discipline.Crm, 10_000m, pilotScope: $"Pilot {i}"))).Id);
        }

        var first = await world.Conductor.ListPlansAsync(world.Outcome.Id, limit: 2);
        var rest = new List<PlanSummary>();
        await foreach (var plan in world.Conductor.ListAllPlansAsync(world.Outcome.Id))
        {
            rest.Add(plan);
        }

        var allocation = await world.Conductor.GetBudgetAllocationAsync(world.Outcome.Id);
        var other = await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Cmo);

        Assert.Equal(drafted.Take(2), first.Items.Select(p => p.Id));
        Assert.NotNull(first.NextCursor);
        Assert.Equal(drafted, rest.Select(p => p.Id));
        Assert.Equal((140_000m, 860_000m, "EUR"), (allocation.Allocated.Amount, allocation.Unallocated.Amount, allocation.Unallocated.Currency));
        Assert.Equal(404, await ApiCalls.StatusOf(() => Api.Plans(other).GetBudgetAllocationAsync(world.Outcome.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => Api.Plans(other).ListPlansAsync(world.Outcome.Id)));
    }
}
