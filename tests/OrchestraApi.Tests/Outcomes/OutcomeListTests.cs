using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Outcomes;

public sealed class OutcomeListTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task pages_walk_every_outcome_once_in_creation_order()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var defined = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            defined.Add((await outcomes.DefineOutcomeAsync(OutcomeSamples.Define($"Outcome {i}"))).Id);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await outcomes.ListOutcomesAsync(limit: 3, cursor: cursor);
            Assert.True(page.Items.Count <= 3);
            seen.AddRange(page.Items.Select(o => o.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(defined, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task outcomes_filter_by_status_and_conductor()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var ada = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("A", "Ada", OutcomeSamples.Clv()));
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("B", "Grace"));
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("C", "Ada"));
        await outcomes.ActivateOutcomeAsync(ada.Id, ada.Version());

        var active = await outcomes.ListOutcomesAsync(status: OutcomeStatus.Active);
        var byAda = await outcomes.ListOutcomesAsync(conductor: "Ada");
        var adaDrafts = await outcomes.ListOutcomesAsync(status: OutcomeStatus.Draft, conductor: "Ada");

        Assert.Equal(["A"], active.Items.Select(o => o.Title));
        Assert.Equal(["A", "C"], byAda.Items.Select(o => o.Title));
        Assert.Equal(["C"], adaDrafts.Items.Select(o => o.Title));
    }

    [Fact]
    public async Task history_is_paginated()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(kpis: [OutcomeSamples.Clv(), OutcomeSamples.Churn()]));

        var first = await outcomes.GetOutcomeHistoryAsync(outcome.Id, limit: 2);
        var second = await outcomes.GetOutcomeHistoryAsync(outcome.Id, limit: 2, cursor: first.NextCursor);

        Assert.Equal([1L, 2L], first.Items.Select(c => c.Version));
        Assert.Equal([3L], second.Items.Select(c => c.Version));
        Assert.Null(second.NextCursor);
    }
}
