using System.Net;
using System.Net.Http.Json;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Status;

/// <summary>The portfolio through the SDK: RAG and headline figures per outcome, filters, orders, paging, tenants.</summary>
public sealed class PortfolioTests(ApiFixture api) : ApiTest(api)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    /// <summary>Five outcomes: two drafts (green), one red, two amber; conductors Ada and Grace.</summary>
    private async Task<(TestOrganisation Organisation, OutcomesClient Outcomes, Dictionary<string, OutcomeDetails> Defined)> PortfolioAsync()
    {
        var organisation = await Api.NewOrganisationAsync();
        var conductorKey = await organisation.KeyAsync(Role.Conductor);
        var outcomes = Api.Outcomes(conductorKey);
        var results = Api.Results(conductorKey);
        var defined = new Dictionary<string, OutcomeDetails>();
        async Task<OutcomeDetails> DefineAsync(string title, string conductor, bool active, decimal? observed = null)
        {
            var define = OutcomeSamples.Define(title, conductor, new KpiDefinition { Key = "members", Name = "Members", Unit = "x", Baseline = 0m, Target = 100m, Direction = KpiDirection.Up });
            if (observed is not null)
            {
                (define.StartsOn, define.EndsOn) = (Today.AddDays(-49), Today.AddDays(50));
            }

            var outcome = await outcomes.DefineOutcomeAsync(define);
            outcome = active ? await outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version) : outcome;
            if (observed is { } value)
            {
                await results.ObserveKpiAsync(outcome.Id, "members", new ObserveKpiRequest { Value = value });
            }

            return defined[title] = outcome;
        }

        await DefineAsync("Alpha", "Ada", active: false);
        await DefineAsync("Bravo", "Grace", active: true, observed: 10m);
        await DefineAsync("Charlie", "Ada", active: true, observed: 40m);
        await DefineAsync("Delta", "Grace", active: true);
        await DefineAsync("Echo", "Ada", active: false);
        return (organisation, outcomes, defined);
    }

    private static async Task<List<string>> TitlesAsync(IStatusClient status, OutcomeStatus? state = null, Rag? rag = null, string? conductor = null, Discipline? discipline = null, PortfolioOrder? order = null)
    {
        var titles = new List<string>();
        await foreach (var item in status.GetAllPortfolioAsync(state, rag, conductor, discipline, order))
        {
            titles.Add(item.Title);
        }

        return titles;
    }

    [Fact]
    public async Task the_portfolio_lists_each_outcome_with_its_rag_worst_first_and_filters_orders_and_pages()
    {
        var (organisation, _, outcomes) = await PortfolioAsync();
        var status = Api.Status(await organisation.KeyAsync(Role.Cmo));

        var page1 = await status.GetPortfolioAsync(limit: 2);
        var page2 = await status.GetPortfolioAsync(limit: 2, cursor: page1.NextCursor);
        var page3 = await status.GetPortfolioAsync(limit: 2, cursor: page2.NextCursor);
        var bravo = page1.Items[0];

        Assert.Equal(["Bravo", "Charlie"], page1.Items.Select(i => i.Title));
        Assert.Equal(["Delta", "Alpha"], page2.Items.Select(i => i.Title));
        Assert.Equal(["Echo"], page3.Items.Select(i => i.Title));
        Assert.Null(page3.NextCursor);
        Assert.Equal([Rag.Red, Rag.Amber], page1.Items.Select(i => i.Rag));
        Assert.Equal([Rag.Amber, Rag.Green], page2.Items.Select(i => i.Rag));
        Assert.Equal((outcomes["Bravo"].Id, "Grace", OutcomeStatus.Active, 50, 1, $"/outcomes/{outcomes["Bravo"].Id}/status"), (bravo.OutcomeId, bravo.Conductor, bravo.State, bravo.DaysLeft, bravo.KpisBehindPace, bravo.Status));
        Assert.Equal(bravo.Status, bravo.StatusLink);
        Assert.Equal(["kpi-far-behind-pace", "discipline-without-approved-plan"], bravo.Rules);
        Assert.Equal(4, bravo.DisciplinesWithProblems.Count);

        Assert.Equal(["Bravo", "Charlie", "Delta"], await TitlesAsync(status, state: OutcomeStatus.Active));
        Assert.Equal(["Charlie", "Delta"], await TitlesAsync(status, rag: Rag.Amber));
        Assert.Equal(["Bravo", "Delta"], await TitlesAsync(status, conductor: "Grace"));
        Assert.Equal(["Bravo", "Charlie", "Delta"], await TitlesAsync(status, discipline: Discipline.Digital));
        Assert.Equal(["Charlie"], await TitlesAsync(status, state: OutcomeStatus.Active, rag: Rag.Amber, conductor: "Ada"));
        Assert.Equal(["Alpha", "Bravo", "Charlie", "Delta", "Echo"], await TitlesAsync(status, order: PortfolioOrder.Title));
        Assert.Equal(["Echo", "Delta", "Charlie", "Bravo", "Alpha"], await TitlesAsync(status, order: PortfolioOrder.Newest));
        Assert.Equal(["Bravo", "Charlie", "Alpha", "Delta", "Echo"], await TitlesAsync(status, order: PortfolioOrder.EndingFirst));
        Assert.Empty(await TitlesAsync(status, conductor: "Nobody"));
    }

    [Fact]
    public async Task a_change_shows_in_the_very_next_portfolio_read()
    {
        var (organisation, outcomes, defined) = await PortfolioAsync();
        var status = Api.Status(await organisation.KeyAsync(Role.Cmo));
        var before = await TitlesAsync(status, rag: Rag.Green);

        var alpha = defined["Alpha"];
        await outcomes.ActivateOutcomeAsync(alpha.Id, alpha.Version);
        var afterActivation = await TitlesAsync(status, rag: Rag.Green);
        await Api.Results(await organisation.KeyAsync(Role.Conductor)).ObserveKpiAsync(defined["Bravo"].Id, "members", new ObserveKpiRequest { Value = 45m });
        var red = await TitlesAsync(status, rag: Rag.Red);
        var newcomer = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("Foxtrot", "Ada"));
        var all = await TitlesAsync(status, order: PortfolioOrder.Title);

        Assert.Equal(["Alpha", "Echo"], before);
        Assert.Equal(["Echo"], afterActivation);
        Assert.Empty(red);
        Assert.Equal(["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"], all);
        Assert.Equal(newcomer.Id, (await status.GetPortfolioAsync(order: PortfolioOrder.Newest, limit: 1)).Items.Single().OutcomeId);
    }

    [Fact]
    public async Task another_organisation_sees_none_of_it_and_bad_filters_or_cursors_are_named()
    {
        var (organisation, _, _) = await PortfolioAsync();
        var mine = await organisation.HttpAsAsync(Role.Cmo);
        var other = Api.Status(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Cmo));
        var page = await Api.Status(await organisation.KeyAsync(Role.Cmo)).GetPortfolioAsync(limit: 2);

        Assert.Empty((await other.GetPortfolioAsync()).Items);
        Assert.Equal(401, await ApiCalls.StatusOf(() => new StatusClient(Api.Http()).GetPortfolioAsync()));
        Assert.Equal(200, (int)(await Api.Http(await organisation.KeyAsync(Role.Agency, Discipline.Digital)).GetAsync("/portfolio")).StatusCode);
        foreach (var (query, field) in new[]
        {
            ("rag=Purple", "rag"), ("state=Sleeping", "state"), ("order=Random", "order"), ("limit=0", "limit"), ("limit=101", "limit"),
            ("cursor=bm90LWEtY3Vyc29y", "cursor"), ($"cursor={page.NextCursor}&order=Title", "cursor"), ($"conductor={new string('x', 201)}", "conductor"),
            ("disciplineWithProblems=Sales", "disciplineWithProblems"),
        })
        {
            var response = await mine.GetAsync($"/portfolio?{query}");
            var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }
    }

    [Fact]
    public async Task an_api_that_holds_one_organisations_portfolio_at_a_time_still_answers_each_organisation_with_all_its_outcomes()
    {
        var fresh = await Api.StartFreshApiAsync(settings: new Dictionary<string, string> { ["Orchestra__Portfolio__MaxOrganisations"] = "1" });
        try
        {
            var (a, b) = (await fresh.NewOrganisationAsync("A"), await fresh.NewOrganisationAsync("B"));
            var (outcomesA, outcomesB) = (await a.OutcomesAsAsync(Role.Conductor), await b.OutcomesAsAsync(Role.Conductor));
            await outcomesA.DefineOutcomeAsync(OutcomeSamples.Define("Alpha"));
            await outcomesB.DefineOutcomeAsync(OutcomeSamples.Define("Bravo"));
            await outcomesB.DefineOutcomeAsync(OutcomeSamples.Define("Charlie"));
            var (statusA, statusB) = (fresh.Status(await a.KeyAsync(Role.Cmo)), fresh.Status(await b.KeyAsync(Role.Cmo)));
            var index = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<OrchestraApi.Status.PortfolioIndex>(fresh.Factory.Services);

            var firstA = await statusA.GetPortfolioAsync(order: PortfolioOrder.Title);
            var firstB = await statusB.GetPortfolioAsync(order: PortfolioOrder.Title);
            var heldAfterBoth = index.Held;
            // A was dropped when B was read; an outcome defined meanwhile shows when A is read again, loaded afresh.
            await outcomesA.DefineOutcomeAsync(OutcomeSamples.Define("Delta"));
            var againA = await statusA.GetPortfolioAsync(order: PortfolioOrder.Title);
            var againB = await statusB.GetPortfolioAsync(order: PortfolioOrder.Title);

            Assert.Equal(["Alpha"], firstA.Items.Select(i => i.Title));
            Assert.Equal(["Bravo", "Charlie"], firstB.Items.Select(i => i.Title));
            Assert.Equal(1, heldAfterBoth);
            Assert.Equal(["Alpha", "Delta"], againA.Items.Select(i => i.Title));
            Assert.Equal(["Bravo", "Charlie"], againB.Items.Select(i => i.Title));
            Assert.Equal(1, index.Held);
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }
}
