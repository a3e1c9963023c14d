using System.Text.Json;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;

namespace OrchestraApi.Tests.Platform;

/// <summary>Values the API answers lie within the bounds the contract states for them, signed ones included.</summary>
public sealed class ContractBoundsTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly March1 = new(2027, 3, 1);

    private static readonly Lazy<JsonElement> Schemas = new(() =>
        JsonDocument.Parse(File.ReadAllText(ContractTests.RepositoryFile("openapi.json"))).RootElement.GetProperty("components").GetProperty("schemas"));

    private static void AssertWithinContract(string schema, string property, long value)
    {
        var bounds = Schemas.Value.GetProperty(schema).GetProperty("properties").GetProperty(property);
        var (min, max) = (bounds.GetProperty("minimum").GetInt64(), bounds.GetProperty("maximum").GetInt64());
        Assert.True(value >= min && value <= max, $"{schema}.{property} = {value}, outside the contract's {min}..{max}");
    }

    [Fact]
    public async Task a_negative_lag_and_activities_moved_earlier_are_answered_within_the_contracts_bounds()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var tv = await w.ActivityAsync(Discipline.Advertising, "TV burst", March1, March1.AddDays(13));
        var mail = await w.ActivityAsync(Discipline.Crm, "Win-back emails", March1.AddDays(10), March1.AddDays(30));
        var overlap = await w.DependencyAsync(tv, mail, lag: -5);
        var baselines = Api.Baselines(await w.World.Organisation.KeyAsync(Role.Conductor));
        var baseline = await baselines.SaveBaselineAsync(w.OutcomeId, new SaveBaselineRequest { Name = "Signed off" });
        await w.Sides[Discipline.Crm].Plans.RescheduleActivityAsync(mail.PlanId, mail.Id, mail.Version, new RescheduleActivityRequest { StartsOn = March1.AddDays(7), EndsOn = March1.AddDays(26) });

        var read = await w.Conductor.GetConnectionAsync(w.OutcomeId, overlap.Id);
        var variance = await baselines.GetBaselineVarianceAsync(w.OutcomeId, baseline.Id);

        Assert.Equal(-5, read.LagDays);
        AssertWithinContract("ConnectionDetails", "lagDays", read.LagDays);
        var moved = variance.Activities.Single(a => a.ActivityId == mail.Id);
        Assert.Equal((-3, -4), (moved.StartShiftDays, moved.EndShiftDays));
        AssertWithinContract("ActivityVariance", "startShiftDays", moved.StartShiftDays);
        AssertWithinContract("ActivityVariance", "endShiftDays", moved.EndShiftDays);
    }

    [Fact]
    public async Task a_kpi_observed_before_the_outcome_existed_is_a_400_naming_observed_at_and_nothing_is_stored()
    {
        var w = await Plans.PlanWorld.CreateAsync(Api);
        var results = Api.Results(await w.Organisation.KeyAsync(Role.Conductor));
        var key = w.Outcome.Kpis[0].Key;

        var ancient = await Assert.ThrowsAsync<ApiException<Problem>>(() => results.ObserveKpiAsync(w.Outcome.Id, key, new ObserveKpiRequest { Value = 1m, ObservedAt = DateTimeOffset.MinValue }));
        var before = await Assert.ThrowsAsync<ApiException<Problem>>(() => results.ObserveKpiAsync(w.Outcome.Id, key, new ObserveKpiRequest { Value = 1m, ObservedAt = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero) }));

        Assert.Equal(400, ancient.StatusCode);
        Assert.Equal(["observedAt"], ancient.Result.Errors!.Keys);
        Assert.Equal(400, before.StatusCode);
        Assert.Equal(["observedAt"], before.Result.Errors!.Keys);
        Assert.Empty((await results.ListKpiObservationsAsync(w.Outcome.Id, key)).Items);
    }
}
