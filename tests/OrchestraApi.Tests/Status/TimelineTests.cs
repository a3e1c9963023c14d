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
        // Named by when it is taken: everything answered before it committed before it, every later request after it.
        var beforeConflict = DateTimeOffset.UtcNow;
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
    public async Task a_lane_of_120_activities_grows_to_hold_them_with_no_bar_over_another_and_every_label_inside_its_bar()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        var few = await DrawAsync(status, w.OutcomeId);
        // A new activity every other day, each running a month: about fifteen at once, on as many rows.
        for (var i = 0; i < 120; i++)
        {
            await w.ActivityAsync(Discipline.Crm, $"Win-back email wave {i + 1} for lapsed loyalty members", March1.AddDays(2 * i), March1.AddDays((2 * i) + 29));
        }

        var svg = await DrawAsync(status, w.OutcomeId);

        var lane = Classed(svg, "g", "lane").Single(g => (string)g.Attribute("data-discipline")! == "Crm");
        var background = lane.Element(Svg + "rect")!;
        var (laneTop, laneHeight) = (N(background, "y"), N(background, "height"));
        var bars = Classed(lane, "rect", "activity").Select(r => (Id: (string)r.Attribute("data-activity-id")!, X: N(r, "x"), Y: N(r, "y"), Width: N(r, "width"), Height: N(r, "height"))).ToList();
        var labels = Classed(lane, "text", "activity-label").ToList();
        Assert.Equal(120, bars.Count);
        var rows = bars.Select(b => b.Y).Distinct().Count();
        Assert.True(rows >= 15, $"{rows} rows for about fifteen activities at once");
        Assert.All(bars, b => Assert.InRange(b.Y, laneTop, laneTop + laneHeight - b.Height));
        Assert.True(N(svg, "height") >= N(few, "height") + ((rows - 1) * 24), $"the picture grew from {N(few, "height")} to only {N(svg, "height")}");
        Assert.Empty(from a in bars from b in bars where string.CompareOrdinal(a.Id, b.Id) < 0 && a.X < b.X + b.Width && b.X < a.X + a.Width && a.Y < b.Y + b.Height && b.Y < a.Y + a.Height select (a.Id, b.Id));
        Assert.Equal(120, labels.Count);
        foreach (var label in labels)
        {
            var bar = bars.Single(b => b.Id == (string)label.Attribute("data-activity-id")!);
            Assert.InRange(N(label, "x"), bar.X, bar.X + bar.Width);
            Assert.True(N(label, "x") + (label.Value.Length * 6.2) <= bar.X + bar.Width, $"'{label.Value}' runs out of its bar");
            Assert.InRange(N(label, "y"), bar.Y, bar.Y + bar.Height);
            Assert.StartsWith("Win-back", label.Value, StringComparison.Ordinal);
        }

        Assert.Contains(labels, l => l.Value.EndsWith('…'));
    }

    private static double N(XElement element, string attribute) => double.Parse((string)element.Attribute(attribute)!, System.Globalization.CultureInfo.InvariantCulture);

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

    [Fact]
    public async Task every_connection_between_drawn_activities_is_drawn_red_when_broken_or_in_conflict_on_the_critical_path_or_off_it()
    {
        var w = await ConnectionWorld.CreateAsync(Api);
        var status = Api.Status(await w.World.Organisation.KeyAsync(Role.Cmo));
        // A long chain makes the critical path; everything else is off it.
        var film = await w.ActivityAsync(Discipline.Advertising, "Film", March1, March1.AddDays(40));
        var mailing = await w.ActivityAsync(Discipline.Crm, "Mailing", March1.AddDays(41), March1.AddDays(80));
        var poster = await w.ActivityAsync(Discipline.Advertising, "Poster", March1, March1.AddDays(2));
        var banner = await w.ActivityAsync(Discipline.Digital, "Banner", March1.AddDays(3), March1.AddDays(5));
        var note = await w.ActivityAsync(Discipline.PublicRelations, "Press note", March1, March1.AddDays(1));
        var post = await w.ActivityAsync(Discipline.Digital, "Post", March1.AddDays(1), March1.AddDays(2));
        var leaflet = await w.ActivityAsync(Discipline.Crm, "Leaflet", March1, March1.AddDays(3));
        var tweet = await w.ActivityAsync(Discipline.Digital, "Tweet", March1.AddDays(1), March1.AddDays(2));
        var flyer = await w.ActivityAsync(Discipline.Crm, "Flyer", March1, March1.AddDays(1));
        await w.ApproveAllAsync();
        var chain = await w.DependencyAsync(film, mailing);
        var healthy = await w.DependencyAsync(poster, banner);
        var broken = await w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Handoff, Title = "Quotes", From = ConnectionWorld.Side(note), To = ConnectionWorld.Side(post), Artefact = "Quotes", DueOn = March1,
        });
        broken = await w.Conductor.MarkConnectionBrokenAsync(w.OutcomeId, broken.Id, broken.Version, new CancelRequest { Reason = "Never delivered." });
        var conflicting = await w.Conductor.DefineConnectionAsync(w.OutcomeId, new DefineConnectionRequest
        {
            Kind = ConnectionKind.Handoff, Title = "List", From = ConnectionWorld.Side(leaflet), To = ConnectionWorld.Side(tweet), Artefact = "Mailing list", DueOn = March1.AddDays(2),
        });
        var toCancelled = await w.DependencyAsync(flyer, banner, title: "Flyer before banner");
        await w.Sides[Discipline.Crm].Plans.CancelActivityAsync(flyer.PlanId, flyer.Id, (await w.Sides[Discipline.Crm].Plans.GetActivityAsync(flyer.PlanId, flyer.Id)).Version, new CancelRequest { Reason = "Dropped." });

        var svg = await DrawAsync(status, w.OutcomeId);

        var critical = Classed(svg, "rect", "critical").Select(r => Guid.Parse((string)r.Attribute("data-activity-id")!)).ToHashSet();
        Assert.DoesNotContain(note.Id, critical);
        Assert.DoesNotContain(leaflet.Id, critical);
        Assert.DoesNotContain(flyer.Id, critical);
        var arrows = Classed(svg, "path", "connection").ToDictionary(p => Guid.Parse((string)p.Attribute("data-connection-id")!));
        Assert.Equal(new[] { chain.Id, healthy.Id, broken.Id, conflicting.Id, toCancelled.Id }.Order(), arrows.Keys.Order());
        Assert.Equal("#d32f2f", (string)arrows[broken.Id].Attribute("stroke")!);
        Assert.Equal("#d32f2f", (string)arrows[conflicting.Id].Attribute("stroke")!);
        Assert.Equal("#d32f2f", (string)arrows[toCancelled.Id].Attribute("stroke")!);
        Assert.NotEqual("#d32f2f", (string)arrows[healthy.Id].Attribute("stroke")!);
        Assert.Equal("Broken", (string)arrows[toCancelled.Id].Attribute("data-state")!);
    }
}
