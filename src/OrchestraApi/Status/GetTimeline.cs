using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Marten;
using MediatR;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Plans;

namespace OrchestraApi.Status;

/// <summary>The outcome's timeline as an SVG picture, now or as of a past moment.</summary>
public sealed record GetTimeline(Guid OutcomeId, DateTimeOffset? AsOf) : IRequest<string>
{
    public sealed class Handler(IQuerySession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<GetTimeline, string>
    {
        public async Task<string> Handle(GetTimeline query, CancellationToken cancellationToken) =>
            Timeline.Draw(await GetOutcomeStatus.InputsAsync(session, schedules, query.OutcomeId, query.AsOf, "asOf", clock.GetUtcNow(), cancellationToken));
    }
}

/// <summary>
/// Draws the timeline: the window with month ticks, a swimlane per discipline, activities as bars coloured by status
/// (the critical path outlined), dependencies and hand-offs as arrows (red when broken or in conflict) and today's
/// line. Every element carries its class and data attributes, so a test (or a script) can read the picture back.
/// </summary>
public static class Timeline
{
    private const double Left = 180, Right = 1180, Top = 84, RowHeight = 24, BarHeight = 16, LanePadding = 10;

    /// <summary>The widest a character of a bar's label (10 px Helvetica) is drawn, so a clipped label never leaves its bar.</summary>
    public const double LabelCharWidth = 6.2;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static readonly IReadOnlyDictionary<ActivityStatus, string> StatusColours = new Dictionary<ActivityStatus, string>
    {
        [ActivityStatus.Planned] = "#90a4ae", [ActivityStatus.InProgress] = "#1e88e5", [ActivityStatus.Done] = "#43a047", [ActivityStatus.Cancelled] = "#e0e0e0",
    };

    /// <summary>A label's colour on its bar: dark on the light grey of cancelled bars, white on the others.</summary>
    private static readonly Dictionary<ActivityStatus, string> LabelColours = new()
    {
        [ActivityStatus.Planned] = "#ffffff", [ActivityStatus.InProgress] = "#ffffff", [ActivityStatus.Done] = "#ffffff", [ActivityStatus.Cancelled] = "#455a64",
    };

    public const string Trouble = "#d32f2f";

    public static string Draw(StatusInputs inputs)
    {
        var (outcome, schedule) = (inputs.Outcome, inputs.Schedule);
        var report = inputs.Report();
        var today = report.Today;
        var activities = schedule.Activities.OrderBy(a => a.Spec.StartsOn).ThenBy(a => a.Id).ToList();
        var first = activities.Select(a => a.Spec.StartsOn).Append(outcome.StartsOn).Min();
        var last = activities.Select(a => a.Spec.EndsOn).Append(outcome.EndsOn).Max();
        var days = last.DayNumber - first.DayNumber + 1;
        double X(DateOnly d) => Left + ((d.DayNumber - first.DayNumber) * (Right - Left) / days);
        var critical = CriticalPathRules.Analyse(schedule, outcome.Id).Path.Select(a => a.ActivityId).ToHashSet();

        // Lanes: each discipline's activities packed into rows, earliest first; a lane is as tall as its rows, however many.
        var bars = new Dictionary<Guid, (double X1, double X2, double Y)>();
        var lanes = new List<XElement>();
        var y = Top;
        foreach (var discipline in Schedule.AllDisciplines)
        {
            // Each row's right edge as drawn: rows are packed by pixels, so even the shortest bars (drawn 2 px wide) never overlap.
            var rows = new List<double>();
            var laneTop = y;
            var elements = new List<XElement>();
            foreach (var a in activities.Where(a => a.Discipline == discipline))
            {
                // A pixel's gap between bars that follow each other, so each one's end can be seen.
                var x1 = Math.Round(X(a.Spec.StartsOn), 1);
                var width = Math.Max(2, Math.Round(X(a.Spec.EndsOn.AddDays(1)), 1) - x1 - 1);
                var x2 = x1 + width;
                var row = rows.FindIndex(right => right < x1);
                if (row < 0)
                {
                    rows.Add(x2);
                    row = rows.Count - 1;
                }
                else
                {
                    rows[row] = x2;
                }

                var barY = laneTop + LanePadding + (row * RowHeight);
                bars[a.Id] = (x1, x2, barY + (BarHeight / 2));
                var onPath = critical.Contains(a.Id);
                elements.Add(new XElement(Svg + "rect",
                    new XAttribute("class", onPath ? "activity critical" : "activity"),
                    new XAttribute("data-activity-id", a.Id), new XAttribute("data-status", a.Status), new XAttribute("data-discipline", discipline),
                    new XAttribute("x", F(x1)), new XAttribute("y", F(barY)), new XAttribute("width", F(width)), new XAttribute("height", F(BarHeight)),
                    new XAttribute("rx", 3), new XAttribute("fill", StatusColours[a.Status]),
                    new XAttribute("stroke", onPath ? "#000000" : "none"), new XAttribute("stroke-width", onPath ? 2 : 0),
                    new XElement(Svg + "title", $"{a.Spec.Name} ({a.Status}) {a.Spec.StartsOn:yyyy-MM-dd} – {a.Spec.EndsOn:yyyy-MM-dd}{(onPath ? ", on the critical path" : "")}")));
                // The name on the bar, cut to what fits inside it (the tooltip has it whole); none on a bar too short for three characters.
                if (Fit(a.Spec.Name, width - 6) is { } label)
                {
                    elements.Add(new XElement(Svg + "text",
                        new XAttribute("class", "activity-label"), new XAttribute("data-activity-id", a.Id), new XAttribute("x", F(x1 + 3)), new XAttribute("y", F(barY + 12)),
                        new XAttribute("font-size", 10), new XAttribute("fill", LabelColours[a.Status]), new XAttribute("pointer-events", "none"), label));
                }
            }

            var height = (Math.Max(1, rows.Count) * RowHeight) + (2 * LanePadding);
            lanes.Add(new XElement(Svg + "g", new XAttribute("class", "lane"), new XAttribute("data-discipline", discipline),
                new XElement(Svg + "rect", new XAttribute("x", 0), new XAttribute("y", F(laneTop)), new XAttribute("width", F(Right + 20)), new XAttribute("height", F(height)),
                    new XAttribute("fill", lanes.Count % 2 == 0 ? "#fafafa" : "#f0f0f0")),
                new XElement(Svg + "text", new XAttribute("x", 12), new XAttribute("y", F(laneTop + LanePadding + 12)), new XAttribute("font-weight", "bold"), Label(discipline)),
                elements));
            y += height;
        }

        var bottom = y;
        var months = new List<XElement>();
        for (var month = new DateOnly(first.Year, first.Month, 1).AddMonths(1); month <= last; month = month.AddMonths(1))
        {
            months.Add(new XElement(Svg + "g", new XAttribute("class", "month"),
                new XElement(Svg + "line", new XAttribute("x1", F(X(month))), new XAttribute("x2", F(X(month))), new XAttribute("y1", Top - 14), new XAttribute("y2", F(bottom)), new XAttribute("stroke", "#cfd8dc")),
                new XElement(Svg + "text", new XAttribute("x", F(X(month) + 3)), new XAttribute("y", Top - 4), new XAttribute("font-size", 10), new XAttribute("fill", "#607d8b"), month.ToString("MMM yyyy", CultureInfo.InvariantCulture))));
        }

        // Every connection between drawn activities is drawn: a side's live activities, or, when all of them were
        // cancelled (the connection then reads Broken), the cancelled ones it names.
        IEnumerable<Activity> Drawn(ConnectionEnd end)
        {
            var all = (end.ActivityId is { } id ? schedule.Activity(id) is { } one ? [one] : [] : schedule.Activities.Where(a => a.PlanId == end.PlanId)).Where(a => bars.ContainsKey(a.Id)).ToList();
            return all.Any(a => a.Status != ActivityStatus.Cancelled) ? all.Where(a => a.Status != ActivityStatus.Cancelled) : all;
        }

        var arrows = new List<XElement>();
        foreach (var c in schedule.Connections.Where(c => c.Kind is ConnectionKind.Dependency or ConnectionKind.Handoff && c.State != ConnectionState.Withdrawn))
        {
            var from = Drawn(c.From).OrderByDescending(a => a.Spec.EndsOn).FirstOrDefault();
            var to = Drawn(c.To).OrderBy(a => a.Spec.StartsOn).FirstOrDefault();
            if (from is null || to is null)
            {
                continue;
            }

            var details = ConnectionDetails.Of(schedule, c);
            var trouble = details.InConflict || details.State == ConnectionState.Broken;
            var (a, b) = (bars[from.Id], bars[to.Id]);
            var middle = (a.X2 + b.X1) / 2;
            arrows.Add(new XElement(Svg + "path",
                new XAttribute("class", trouble ? "connection trouble" : "connection"), new XAttribute("data-connection-id", c.Id), new XAttribute("data-kind", c.Kind),
                new XAttribute("data-state", details.State), new XAttribute("data-in-conflict", details.InConflict ? "true" : "false"),
                new XAttribute("d", $"M {F(a.X2)} {F(a.Y)} C {F(middle)} {F(a.Y)}, {F(middle)} {F(b.Y)}, {F(b.X1)} {F(b.Y)}"),
                new XAttribute("fill", "none"), new XAttribute("stroke", trouble ? Trouble : "#455a64"), new XAttribute("stroke-width", trouble ? 2 : 1.2),
                new XAttribute("stroke-dasharray", c.Kind == ConnectionKind.Handoff ? "5 3" : "none"), new XAttribute("marker-end", trouble ? "url(#arrow-trouble)" : "url(#arrow)"),
                new XElement(Svg + "title", $"{c.Kind} '{c.Title}': {details.State}{(details.InConflict ? $", in conflict: {details.Conflict}" : "")}{(details.State == ConnectionState.Broken ? $": {details.StateReason}" : "")}")));
        }

        var height2 = bottom + 56;
        var todayLine = today >= first && today <= last
            ? new XElement(Svg + "g", new XAttribute("class", "today"), new XAttribute("data-date", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                new XElement(Svg + "line", new XAttribute("x1", F(X(today))), new XAttribute("x2", F(X(today))), new XAttribute("y1", Top - 20), new XAttribute("y2", F(bottom)), new XAttribute("stroke", "#ff6f00"), new XAttribute("stroke-width", 2), new XAttribute("stroke-dasharray", "4 3")),
                new XElement(Svg + "text", new XAttribute("x", F(X(today) + 4)), new XAttribute("y", Top - 22), new XAttribute("font-size", 10), new XAttribute("fill", "#ff6f00"), $"today {today:yyyy-MM-dd}"))
            : null;
        var rag = report.Rag switch { Rag.Red => Trouble, Rag.Amber => "#f9a825", _ => "#43a047" };
        var svg = new XElement(Svg + "svg",
            new XAttribute("width", F(Right + 20)), new XAttribute("height", F(height2)), new XAttribute("viewBox", $"0 0 {F(Right + 20)} {F(height2)}"),
            new XAttribute("font-family", "Helvetica, Arial, sans-serif"), new XAttribute("font-size", 12),
            new XAttribute("data-outcome-id", outcome.Id), new XAttribute("data-as-of", inputs.At.ToString("O", CultureInfo.InvariantCulture)),
            new XElement(Svg + "title", $"{outcome.Title}: timeline"),
            new XElement(Svg + "defs",
                Marker("arrow", "#455a64"), Marker("arrow-trouble", Trouble)),
            new XElement(Svg + "text", new XAttribute("class", "heading"), new XAttribute("x", 12), new XAttribute("y", 24), new XAttribute("font-size", 16), new XAttribute("font-weight", "bold"), Clip(outcome.Title, 90)),
            new XElement(Svg + "circle", new XAttribute("class", "rag"), new XAttribute("data-rag", report.Rag), new XAttribute("cx", F(Right)), new XAttribute("cy", 20), new XAttribute("r", 9), new XAttribute("fill", rag),
                new XElement(Svg + "title", $"{report.Rag}: {string.Join("; ", report.Reasons.Select(r => r.Rule).Distinct())}")),
            new XElement(Svg + "text", new XAttribute("x", 12), new XAttribute("y", 44), new XAttribute("fill", "#455a64"),
                $"{outcome.StartsOn:yyyy-MM-dd} – {outcome.EndsOn:yyyy-MM-dd} · {outcome.Status} · {report.Rag} · as of {inputs.At:yyyy-MM-dd HH:mm} UTC"),
            new XElement(Svg + "rect", new XAttribute("class", "window"), new XAttribute("x", F(X(outcome.StartsOn))), new XAttribute("y", Top - 16), new XAttribute("width", F(X(outcome.EndsOn.AddDays(1)) - X(outcome.StartsOn))), new XAttribute("height", 4), new XAttribute("fill", "#546e7a")),
            lanes, months, arrows, todayLine, Legend(bottom + 24));
        // Names may hold characters XML cannot carry (e.g. U+0007): shown as U+FFFD rather than failing the picture.
        foreach (var text in svg.DescendantNodes().OfType<XText>())
        {
            text.Value = XmlSafe(text.Value);
        }

        return new XDocument(svg).ToString(SaveOptions.DisableFormatting);
    }

    private static string XmlSafe(string text)
    {
        if (text.All(XmlConvert.IsXmlChar))
        {
            return text;
        }

        var safe = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                safe.Append(text, i++, 2);
            }
            else
            {
                safe.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '\uFFFD');
            }
        }

        return safe.ToString();
    }

    private static XElement Marker(string id, string colour) => new(Svg + "marker",
        new XAttribute("id", id), new XAttribute("viewBox", "0 0 10 10"), new XAttribute("refX", 9), new XAttribute("refY", 5),
        new XAttribute("markerWidth", 7), new XAttribute("markerHeight", 7), new XAttribute("orient", "auto-start-reverse"),
        new XElement(Svg + "path", new XAttribute("d", "M 0 0 L 10 5 L 0 10 z"), new XAttribute("fill", colour)));

    private static XElement Legend(double y)
    {
        var items = StatusColours.Select((s, i) => new XElement(Svg + "g",
            new XElement(Svg + "rect", new XAttribute("x", 12 + (i * 120)), new XAttribute("y", F(y)), new XAttribute("width", 14), new XAttribute("height", 10), new XAttribute("fill", s.Value)),
            new XElement(Svg + "text", new XAttribute("x", 30 + (i * 120)), new XAttribute("y", F(y + 9)), new XAttribute("font-size", 11), s.Key.ToString()))).ToList();
        items.Add(new XElement(Svg + "text", new XAttribute("x", 500), new XAttribute("y", F(y + 9)), new XAttribute("font-size", 11),
            "black outline: critical path · arrows: dependencies (solid), hand-offs (dashed) · red: broken or in conflict · orange: today"));
        return new XElement(Svg + "g", new XAttribute("class", "legend"), items);
    }

    private static string Label(Discipline discipline) => discipline switch
    {
        Discipline.PublicRelations => "Public relations",
        Discipline.Crm => "CRM",
        _ => discipline.ToString(),
    };

    private static string Clip(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    private static string? Fit(string text, double width) => (int)(width / LabelCharWidth) is var characters and >= 3 ? Clip(text, characters) : null;

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
