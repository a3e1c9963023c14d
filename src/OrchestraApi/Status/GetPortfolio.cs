using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>How the portfolio is ordered.</summary>
public enum PortfolioOrder
{
    /// <summary>Red first, then amber, then green; within each, the window ending soonest first.</summary>
    WorstFirst,

    /// <summary>The window ending soonest first.</summary>
    EndingFirst,

    /// <summary>By title, A to Z (case ignored).</summary>
    Title,

    /// <summary>The most recorded spend first.</summary>
    MostSpent,

    /// <summary>The most recently defined first.</summary>
    Newest,
}

/// <summary>One outcome of the portfolio: its RAG and headline figures.</summary>
/// <param name="State">Where it is in its lifecycle.</param>
/// <param name="Conductor">The conductor who owns the outcome.</param>
/// <param name="DaysLeft">Days from today to the window's end (0 when it has ended).</param>
/// <param name="Spent">What the recorded results say was spent (their cost).</param>
/// <param name="Rules">The rules behind its RAG, worst first, each once; at most the 7 worst (its status lists every reason).</param>
/// <param name="DisciplinesWithProblems">The disciplines a reason is about.</param>
/// <param name="KpisBehindPace">KPIs behind the elapsed share of the window.</param>
/// <param name="Status">The same link as <c>statusLink</c>, under the name v1.0 gave it: read <c>statusLink</c>.</param>
/// <param name="StatusLink">The link to the outcome's whole status (`GET /outcomes/{outcomeId}/status`), relative to the API's base address.</param>
public sealed record PortfolioItem(
    Guid OutcomeId, [property: MaxLength(200)] string Title, OutcomeStatus State, [property: MaxLength(200)] string Conductor, DateOnly StartsOn, DateOnly EndsOn, int DaysLeft, Money Budget, Money Spent,
    Rag Rag, [property: MaxLength(PortfolioItem.MaxRules), ItemsLength(100)] IReadOnlyList<string> Rules, [property: MaxLength(4)] IReadOnlyList<Discipline> DisciplinesWithProblems, int KpisBehindPace, DateTimeOffset DefinedAt, [property: MaxLength(200)] string Status, [property: MaxLength(200)] string StatusLink)
{
    /// <summary>The rules an item names: v1 promised 7 (there were 7); with trigger flags there are 8, so the least serious may go unnamed.</summary>
    public const int MaxRules = 7;

    public static PortfolioItem Of(Outcome outcome, OutcomeStatusReport report) => new(
        report.OutcomeId, report.Title, report.State, outcome.Conductor, report.StartsOn, report.EndsOn, report.DaysLeft, report.Budget, report.Spent, report.Rag,
        [.. report.Reasons.Select(r => r.Rule).Distinct().Take(MaxRules)], [.. report.Reasons.SelectMany(r => r.Disciplines).Distinct().Order()],
        report.Kpis.Count(k => k.Pace == Results.KpiPace.Behind), outcome.DefinedAt, $"/outcomes/{report.OutcomeId}/status", $"/outcomes/{report.OutcomeId}/status");

    /// <summary>A key that orders items as <paramref name="order"/> says when compared ordinally (then by id).</summary>
    public string SortKey(PortfolioOrder order) => order switch
    {
        PortfolioOrder.WorstFirst => $"{2 - (int)Rag}{EndsOn:yyyyMMdd}",
        PortfolioOrder.EndingFirst => $"{EndsOn:yyyyMMdd}",
        PortfolioOrder.Title => Title.ToUpperInvariant(),
        PortfolioOrder.MostSpent => (1_000_000_000_000_000m - Spent.Amount).ToString("0000000000000000000.0000", CultureInfo.InvariantCulture),
        _ => (DateTimeOffset.MaxValue.UtcTicks - DefinedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture),
    };
}

/// <summary>Filters and order of the portfolio (all optional).</summary>
public sealed record PortfolioFilter
{
    [FromQuery(Name = "state")]
    [Description("Only outcomes in this state (exact name).")]
    public OutcomeStatus? State { get; init; }

    [FromQuery(Name = "rag")]
    [Description("Only outcomes with this RAG (exact name).")]
    public Rag? Rag { get; init; }

    [FromQuery(Name = "conductor")]
    [Description("Only outcomes owned by this conductor (exact name, at most 200 characters).")]
    [StringLength(200, ErrorMessage = "must be at most 200 characters.")]
    public string? Conductor { get; init; }

    [FromQuery(Name = "disciplineWithProblems")]
    [Description("Only outcomes where a reason of their RAG is about this discipline (exact name).")]
    public Discipline? DisciplineWithProblems { get; init; }

    [FromQuery(Name = "order")]
    [Description("WorstFirst (default: red, amber, green, then ending soonest), EndingFirst, Title, MostSpent or Newest.")]
    public PortfolioOrder? Order { get; init; }
}

public sealed record GetPortfolio(PortfolioFilter Filter, PageRequest Page) : IRequest<Page<PortfolioItem>>
{
    public sealed class Handler(IQuerySession session, ScheduleCache schedules, PortfolioIndex index, TimeProvider clock) : IRequestHandler<GetPortfolio, Page<PortfolioItem>>
    {
        public async Task<Page<PortfolioItem>> Handle(GetPortfolio query, CancellationToken cancellationToken)
        {
            var (f, order) = (query.Filter, query.Filter.Order ?? PortfolioOrder.WorstFirst);
            var limit = Platform.Cursor.Limit(query.Page.Limit);
            (string Key, Guid Id)? after = query.Page.Cursor is null ? null : After(query.Page.Cursor, order);
            var sorted = await index.ItemsAsync(session, schedules, order, clock.GetUtcNow(), cancellationToken);
            var start = 0;
            if (after is { } a)
            {
                // The first item after the cursor's: a binary search over (key, id).
                var (low, high) = (0, sorted.Count);
                while (low < high)
                {
                    var middle = (low + high) / 2;
                    (low, high) = Compare(sorted[middle].Key, sorted[middle].Item.OutcomeId, a.Key, a.Id) > 0 ? (low, middle) : (middle + 1, high);
                }

                start = low;
            }

            var page = new List<(string Key, PortfolioItem Item)>(limit + 1);
            for (var i = start; i < sorted.Count && page.Count <= limit; i++)
            {
                var item = sorted[i].Item;
                if ((f.State is null || item.State == f.State) && (f.Rag is null || item.Rag == f.Rag) && (f.Conductor is null || item.Conductor == f.Conductor)
                    && (f.DisciplineWithProblems is not { } d || item.DisciplinesWithProblems.Contains(d)))
                {
                    page.Add(sorted[i]);
                }
            }

            return Platform.Cursor.Slice(page, limit, x => Platform.Cursor.EncodeKey($"{order}\n{x.Key}\n{x.Item.OutcomeId}"), x => x.Item);
        }

        private static int Compare(string key, Guid id, string afterKey, Guid afterId)
        {
            var byKey = string.CompareOrdinal(key, afterKey);
            return byKey != 0 ? byKey : id.CompareTo(afterId);
        }

        /// <summary>The last item of the previous page; a cursor of another order is not this list's.</summary>
        private static (string Key, Guid Id) After(string cursor, PortfolioOrder order)
        {
            var parts = Platform.Cursor.DecodeKey(cursor).Split('\n');
            return parts.Length == 3 && parts[0] == order.ToString() && Guid.TryParse(parts[2], out var id)
                ? (parts[1], id)
                : throw new InvalidInputException("cursor", "is not a cursor this list returned with this order.");
        }
    }
}
