using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>One change to an outcome: what happened, who did it, when, and the version it produced.</summary>
/// <param name="Summary">What happened, in a sentence.</param>
public sealed record OutcomeChange(long Version, [property: MaxLength(100)] string Change, [property: MaxLength(ContractLimits.MaxWrittenText)] string Summary, [property: MaxLength(200)] string By, DateTimeOffset At);

/// <summary>Read straight from the outcome's events: the history is the stream, oldest first.</summary>
public sealed record GetOutcomeHistory(Guid OutcomeId, PageRequest Page) : IRequest<Page<OutcomeChange>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetOutcomeHistory, Page<OutcomeChange>>
    {
        public Task<Page<OutcomeChange>> Handle(GetOutcomeHistory query, CancellationToken cancellationToken) =>
            session.HistoryAsync(query.OutcomeId, "Outcome", query.Page, Describe, cancellationToken);
    }

    private static OutcomeChange Describe(long version, object e) => e switch
    {
        OutcomeDefined x => new(version, "defined", $"Defined '{x.Title}' for {x.Conductor}, {x.StartsOn:yyyy-MM-dd} to {x.EndsOn:yyyy-MM-dd}, budget {x.Budget}.", x.By, x.At),
        OutcomeRevised x => new(version, "revised", $"Revised {string.Join(", ", Revised(x))}.", x.By, x.At),
        KpiAdded x => new(version, "kpi-added", $"Added KPI '{x.Kpi.Key}' ({x.Kpi.Name}): {x.Kpi.Baseline} → {x.Kpi.Target} {x.Kpi.Unit}.", x.By, x.At),
        KpiRevised x => new(version, "kpi-revised", $"Revised KPI '{x.Kpi.Key}' ({x.Kpi.Name}): {x.Kpi.Baseline} → {x.Kpi.Target} {x.Kpi.Unit}, {x.Kpi.Direction.ToString().ToLowerInvariant()}.", x.By, x.At),
        OutcomeActivated x => new(version, "activated", "Activated.", x.By, x.At),
        OutcomeClosed x => new(version, "closed", $"Closed as {x.Result.ToString().ToLowerInvariant()}: {x.Reason}", x.By, x.At),
        _ => new(version, "other", e.GetType().Name, "unknown", DateTimeOffset.MinValue),
    };

    private static IEnumerable<string> Revised(OutcomeRevised x)
    {
        if (x.Title is not null)
        {
            yield return $"title to '{x.Title}'";
        }

        if (x.Description is not null)
        {
            yield return "description";
        }

        if (x.StartsOn is not null || x.EndsOn is not null)
        {
            yield return $"window ({string.Join(", ", new[] { x.StartsOn is { } s ? $"starts {s:yyyy-MM-dd}" : null, x.EndsOn is { } e ? $"ends {e:yyyy-MM-dd}" : null }.OfType<string>())})";
        }

        if (x.Budget is { } budget)
        {
            yield return $"budget to {budget}";
        }
    }
}
