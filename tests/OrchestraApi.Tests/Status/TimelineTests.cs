using System.Xml.Linq;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Connections;

namespace OrchestraApi.Tests.Status;

/// <summary>
/// The timeline SVG read back as a document through the SDK (CI also renders it in headless Chromium and in Swagger UI:
/// .ci/contract/timeline.mjs).
/// </summary>
public sealed class TimelineTests(ApiFixture api) : ApiTest(api)
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly DateOnly March1 = new(2027, 3, 1);

    private static async Task<XElement> DrawAsync(StatusClient status, Guid outcomeId, DateTimeOffset? asOf = null)
    {
        using var file = await status.GetTimelineAsync(outcomeId, asOf);
        Assert.StartsWith("image/svg+xml", file.Headers["Content-Type"].Single(), StringComparison.Ordinal);
        return XDocument.Load(file.Stream).Root!;
    }

    private static IEnumerable<XElement> Classed(XElement svg, string name, string cssClass) =>
        svg.Descendants(Svg + name).Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(cssClass) == true);

    [Fact]
    public async Task the_timeline_draws_lanes_bars_by_status_the_critical_path_and_red_arrows_for_conflicts_now_and_as_of_then()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var film = await w.ActivityAsync(Discipline.Advertising, "Launch <film> & \"teaser\" \u0007", March1, March1.AddDays(9));
        var mailing = await w.ActivityAsync(Discipline.Crm, "Welcome mailing", March1.AddDays(20), March1.AddDays(30));
        var banner = await w.ActivityAsync(Discipline.Digital, "Banner", March1, March1.AddDays(1));
        var press = await w.ActivityAsync(Discipline.PublicRelations, "Press note", March1, March1.AddDays(1));
        await w.ApproveAllAsync();

        var dependency = await w.DependencyAsync(film, mailing);
        await Task.Delay(30);
        var beforeConflict = DateTimeOffset.UtcNow;
        await Task.Delay(30);
        await w.Sides[Discipline.Crm].Plans.RescheduleActivityAsync(mailing.PlanId, mailing.Id, mailing.Version, new RescheduleActivityRequest { StartsOn = March1.AddDays(5), EndsOn = March1.AddDays(15) });
        var digital = w.Sides[Discipline.Digital].Plans;
        banner = await digital.StartActivityAsync(banner.PlanId, banner.Id, banner.Version);
        await digital.CompleteActivityAsync(banner.PlanId, banner.Id, banner.Version);
        var pr = w.Sides[Discipline.PublicRelations].Plans;
        await pr.StartActivityAsync(press.PlanId, press.Id, press.Version);

        var now = await DrawAsync(status, w.OutcomeId);
        var then = await DrawAsync(status, w.OutcomeId, beforeConflict);
        var foreign = Api.Status(await (await Api.NewOrganisationAsync("Other")).KeyAsync(Role.Cmo));

        Assert.Equal(["Advertising", "PublicRelations", "Digital", "Crm"], Classed(now, "g", "lane").Select(g => (string)g.Attribute("data-discipline")!));
        var bars = Classed(now, "rect", "activity").ToDictionary(r => Guid.Parse((string)r.Attribute("data-activity-id")!));
        Assert.Equal(4, bars.Count);
        Assert.Equal(("Planned", "#90a4ae"), ((string)bars[film.Id].Attribute("data-status")!, (string)bars[film.Id].Attribute("fill")!));
        Assert.Equal(("Done", "#43a047"), ((string)bars[banner.Id].Attribute("data-status")!, (string)bars[banner.Id].Attribute("fill")!));
        Assert.Equal(("InProgress", "#1e88e5"), ((string)bars[press.Id].Attribute("data-status")!, (string)bars[press.Id].Attribute("fill")!));
        Assert.Equal([film.Id, mailing.Id], Classed(now, "rect", "critical").Select(r => Guid.Parse((string)r.Attribute("data-activity-id")!)).Order());
        Assert.Contains("Launch <film> & \"teaser\" \uFFFD", bars[film.Id].Element(Svg + "title")!.Value, StringComparison.Ordinal);
        var arrow = Classed(now, "path", "connection").Single();
        Assert.Equal((dependency.Id.ToString(), "true", "#d32f2f"), ((string)arrow.Attribute("data-connection-id")!, (string)arrow.Attribute("data-in-conflict")!, (string)arrow.Attribute("stroke")!));
        Assert.Contains("trouble", (string)arrow.Attribute("class")!, StringComparison.Ordinal);
        Assert.Equal("Red", (string)Classed(now, "circle", "rag").Single().Attribute("data-rag")!);
        Assert.Empty(now.Descendants(Svg + "script"));

        // Before the move: no conflict, nothing started.
        Assert.Equal("false", (string)Classed(then, "path", "connection").Single().Attribute("data-in-conflict")!);
        Assert.All(Classed(then, "rect", "activity"), r => Assert.Equal("Planned", (string)r.Attribute("data-status")!));
        Assert.Equal("Green", (string)Classed(then, "circle", "rag").Single().Attribute("data-rag")!);
        Assert.Equal(404, await ApiCalls.StatusOf(() => foreign.GetTimelineAsync(w.OutcomeId)));
    }

    [Fact]
    public async Task an_outcome_running_today_gets_todays_line_inside_its_window()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = Api.Outcomes(await organisation.KeyAsync(Role.Conductor));
        var define = Outcomes.OutcomeSamples.Define("Running now");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        (define.StartsOn, define.EndsOn) = (today.AddDays(-10), today.AddDays(50));
        var outcome = await outcomes.DefineOutcomeAsync(define);

        var svg = await DrawAsync(Api.Status(await organisation.KeyAsync(Role.Cmo)), outcome.Id);

        var line = Classed(svg, "g", "today").Single();
        Assert.Equal(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (string)line.Attribute("data-date")!);
        var x = double.Parse((string)line.Element(Svg + "line")!.Attribute("x1")!, System.Globalization.CultureInfo.InvariantCulture);
        var window = Classed(svg, "rect", "window").Single();
        var (left, width) = (double.Parse((string)window.Attribute("x")!, System.Globalization.CultureInfo.InvariantCulture), double.Parse((string)window.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(x, left, left + width);
        Assert.Equal(4, Classed(svg, "g", "lane").Count());
    }
}
