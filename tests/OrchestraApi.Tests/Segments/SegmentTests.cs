using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Segments;

/// <summary>Customer segments: their bounds, tenancy, roles and concurrent revisions, through the SDK.</summary>
public sealed class SegmentTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task segment_inputs_outside_their_bounds_are_named_and_nothing_is_stored()
    {
        var organisation = await Api.NewOrganisationAsync();
        var segments = Api.Segments(await organisation.KeyAsync(Role.Conductor));
        var cmo = Api.Segments(await organisation.KeyAsync(Role.Cmo));
        var other = Api.Segments(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Admin));

        var negative = await Assert.ThrowsAsync<ApiException<Problem>>(() => segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "x", Size = -1, Margin = new Money { Amount = 1m, Currency = "EUR" }, RetentionRate = 0.5m, DiscountRate = -0.1m }));
        var runaway = await Assert.ThrowsAsync<ApiException<Problem>>(() => segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "x", Size = 1, Margin = new Money { Amount = 1m, Currency = "EUR" }, RetentionRate = 1.1m, DiscountRate = 0.1m }));
        var kept = await segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "Edge", Size = 0, Margin = new Money { Amount = 1m, Currency = "EUR" }, RetentionRate = 0m, DiscountRate = 0m });

        Assert.Equal(["discountRate", "size"], negative.Result.Errors!.Keys.Order());
        Assert.Equal(["retentionRate"], runaway.Result.Errors!.Keys);

        // r a hair below 1 + d would make CLV = m·r / (1 + d − r) larger than any number can hold: refused, never a 500.
        var hair = await Assert.ThrowsAsync<ApiException<Problem>>(() => segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "x", Size = 10_000_000_000, Margin = new Money { Amount = 1_000_000_000_000m, Currency = "EUR" }, RetentionRate = 0.9999999999999999999999999999m, DiscountRate = 0m }));
        var clvTooLarge = await Assert.ThrowsAsync<ApiException<Problem>>(() => segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "x", Size = 1, Margin = new Money { Amount = 1_000_000_000_000m, Currency = "EUR" }, RetentionRate = 10.9999m, DiscountRate = 10m }));
        var equityTooLarge = await Assert.ThrowsAsync<ApiException<Problem>>(() => segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "x", Size = 10_000_000_000, Margin = new Money { Amount = 1_000m, Currency = "EUR" }, RetentionRate = 0.5m, DiscountRate = 0m }));
        var largest = await segments.DefineSegmentAsync(new DefineSegmentRequest { Name = "Largest", Size = 1_000, Margin = new Money { Amount = 1_000_000_000m, Currency = "EUR" }, RetentionRate = 0.5m, DiscountRate = 0m });
        Assert.Equal(["retentionRate"], hair.Result.Errors!.Keys);
        Assert.Equal(["retentionRate"], clvTooLarge.Result.Errors!.Keys);
        Assert.Equal(["size"], equityTooLarge.Result.Errors!.Keys);
        Assert.Equal((1_000_000_000m, 1_000_000_000_000m), (largest.Clv.Amount, largest.Equity.Amount));
        Assert.Equal(400, await ApiCalls.StatusOf(() => segments.ReviseSegmentAsync(largest.Id, largest.Version, new ReviseSegmentRequest { Size = 1_001 })));
        Assert.Equal((0m, 0m), (kept.Clv.Amount, kept.Equity.Amount));
        Assert.Equal([kept.Id, largest.Id], (await cmo.ListSegmentsAsync()).Items.Select(s => s.Id));
        Assert.Equal(403, await ApiCalls.StatusOf(() => cmo.DefineSegmentAsync(new DefineSegmentRequest { Name = "x", Size = 1, Margin = new Money { Amount = 1m, Currency = "EUR" }, RetentionRate = 0.5m, DiscountRate = 0m })));
        Assert.Equal(404, await ApiCalls.StatusOf(() => other.GetSegmentAsync(kept.Id)));
        Assert.Equal(404, await ApiCalls.StatusOf(() => other.ReviseSegmentAsync(kept.Id, kept.Version, new ReviseSegmentRequest { Size = 5 })));
        Assert.Empty((await other.ListSegmentsAsync()).Items);
    }

    [Fact]
    public async Task of_concurrent_revisions_of_one_segment_version_exactly_one_wins_and_retries_of_one_key_define_one_segment()
    {
        var segments = Api.Segments(await (await Api.NewOrganisationAsync()).KeyAsync(Role.Conductor));
        var request = new DefineSegmentRequest { Name = "Lapsed", Size = 10, Margin = new Money { Amount = 100m, Currency = "EUR" }, RetentionRate = 0.8m, DiscountRate = 0.1m };

        var retries = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => segments.DefineSegmentAsync(request, "segment-1")));
        var segment = retries[0];
        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => ApiCalls.StatusOf(() => segments.ReviseSegmentAsync(segment.Id, segment.Version, new ReviseSegmentRequest { Size = 100 + i }))));

        Assert.Single(retries.Select(r => r.Id).Distinct());
        Assert.Single((await segments.ListSegmentsAsync()).Items);
        Assert.Equal(1, statuses.Count(s => s == 200));
        Assert.All(statuses.Where(s => s != 200), s => Assert.Equal(412, s));
        Assert.Equal(2L, (await segments.GetSegmentAsync(segment.Id)).Version);
    }
}
