using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Results;

/// <summary>A derived ratio: null, with the reason, when its denominator is zero — never a division by zero.</summary>
/// <param name="Value">The ratio, rounded to 6 decimals; null when its denominator is zero.</param>
/// <param name="Reason">Why there is no value (e.g. "No conversions yet."); null when there is one.</param>
public sealed record Ratio(decimal? Value, [property: MaxLength(2000)] string? Reason)
{
    public static Ratio Of(decimal numerator, decimal denominator, string whenZero) =>
        denominator == 0 ? new Ratio(null, whenZero) : new Ratio(Math.Round(numerator / denominator, 6), null);
}

/// <summary>What the results of an activity, a plan, a discipline or an outcome add up to.</summary>
/// <param name="Rows">Result rows that count (a correction replaces the row it corrects).</param>
/// <param name="Reached">Audience reached; an outcome's results add up to at most 10^15 of each count (a batch that would pass it is refused).</param>
/// <param name="Impressions">Impressions.</param>
/// <param name="Responses">Responses.</param>
/// <param name="Revenue">Revenue, in the outcome's currency.</param>
/// <param name="Cost">Cost, in the outcome's currency.</param>
/// <param name="ResponseRate">responses / reached.</param>
/// <param name="ConversionRate">conversions / responses.</param>
/// <param name="CostPerResponse">cost / responses.</param>
/// <param name="CostPerConversion">cost / conversions.</param>
/// <param name="Roi">(revenue − cost) / cost.</param>
/// <param name="Planned">The budget the results are measured against: the activity's budget, the plan's, the plans' of the discipline, the outcome's.</param>
/// <param name="OverSpent">True when the recorded cost exceeds what was planned.</param>
public sealed record Measures(
    long Rows,
    [property: Range(typeof(long), "0", ResultRules.MaxTotalText)] long Reached,
    [property: Range(typeof(long), "0", ResultRules.MaxTotalText)] long Impressions,
    [property: Range(typeof(long), "0", ResultRules.MaxTotalText)] long Responses,
    [property: Range(typeof(long), "0", ResultRules.MaxTotalText)] long Conversions,
    Money Revenue,
    Money Cost,
    Ratio ResponseRate, Ratio ConversionRate, Ratio CostPerResponse, Ratio CostPerConversion, Ratio Roi, Money Planned, bool OverSpent)
{
    public static Measures Of(Totals t, string currency, decimal planned) => new(
        t.Rows, t.Reached, t.Impressions, t.Responses, t.Conversions, new Money(t.Revenue, currency), new Money(t.Cost, currency),
        Ratio.Of(t.Responses, t.Reached, "No audience reached yet."),
        Ratio.Of(t.Conversions, t.Responses, "No responses yet."),
        Ratio.Of(t.Cost, t.Responses, "No responses yet."),
        Ratio.Of(t.Cost, t.Conversions, "No conversions yet."),
        Ratio.Of(t.Revenue - t.Cost, t.Cost, "Cost is 0: ROI is undefined."),
        new Money(planned, currency),
        t.Cost > planned);
}

/// <param name="Measures">What its results add up to, and the ratios derived from them.</param>
public sealed record DisciplineMeasures(Discipline Discipline, Measures Measures);

/// <param name="PilotScope">A pilot's scope (e.g. one region); null for a discipline's plan.</param>
/// <param name="Measures">What its results add up to, and the ratios derived from them.</param>
public sealed record PlanMeasures(Guid PlanId, Discipline Discipline, [property: MaxLength(500)] string? PilotScope, Measures Measures);

/// <summary>An outcome's measures, whole and per discipline and plan.</summary>
/// <param name="Outcome">The outcome as a whole.</param>
/// <param name="Plans">The plans.</param>
public sealed record OutcomeMeasures(Guid OutcomeId, Measures Outcome, [property: MaxLength(4)] IReadOnlyList<DisciplineMeasures> Disciplines, [property: MaxLength(PlanRules.MaxPlansPerOutcome)] IReadOnlyList<PlanMeasures> Plans);

/// <param name="Measures">What its results add up to, and the ratios derived from them.</param>
public sealed record ActivityMeasures(Guid ActivityId, Guid PlanId, Discipline Discipline, Measures Measures);

public sealed record GetOutcomeMeasures(Guid OutcomeId) : IRequest<OutcomeMeasures>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetOutcomeMeasures, OutcomeMeasures>
    {
        public async Task<OutcomeMeasures> Handle(GetOutcomeMeasures query, CancellationToken cancellationToken)
        {
            var batch = session.CreateBatchQuery();
            var outcomeTask = batch.Load<Outcome>(query.OutcomeId);
            var resultsTask = batch.Load<OutcomeResults>(OutcomeResults.IdOf(query.OutcomeId));
            var plansTask = batch.Query<Plan>().Where(p => p.OutcomeId == query.OutcomeId).ToList();
            await batch.Execute(cancellationToken);
            var outcome = await outcomeTask ?? throw Outcome.NotFound(query.OutcomeId);
            var results = await resultsTask;
            var plans = (await plansTask).Where(p => p.Status is not (PlanStatus.Cancelled or PlanStatus.Promoted)).ToList();
            var currency = outcome.Budget.Currency;
            Totals Of<TKey>(IReadOnlyDictionary<TKey, Totals>? totals, TKey key) => totals?.GetValueOrDefault(key) ?? Totals.Zero;
            return new OutcomeMeasures(
                outcome.Id,
                Measures.Of(results?.Outcome ?? Totals.Zero, currency, outcome.Budget.Amount),
                [.. Enum.GetValues<Discipline>().Select(d => new DisciplineMeasures(d, Measures.Of(Of(results?.ByDiscipline, d), currency, plans.Where(p => p.Discipline == d).Sum(p => p.Budget.Amount))))],
                [.. plans.OrderBy(p => p.Id).Select(p => new PlanMeasures(p.Id, p.Discipline, p.PilotScope, Measures.Of(Of(results?.ByPlan, p.Id), currency, p.Budget.Amount)))]);
        }
    }
}

public sealed record GetActivityMeasures(Guid OutcomeId, Guid ActivityId) : IRequest<ActivityMeasures>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetActivityMeasures, ActivityMeasures>
    {
        public async Task<ActivityMeasures> Handle(GetActivityMeasures query, CancellationToken cancellationToken)
        {
            var batch = session.CreateBatchQuery();
            var activityTask = batch.Load<Activity>(query.ActivityId);
            var resultsTask = batch.Load<OutcomeResults>(OutcomeResults.IdOf(query.OutcomeId));
            await batch.Execute(cancellationToken);
            var activity = await activityTask is { } a && a.OutcomeId == query.OutcomeId
                ? a
                : throw new NotFoundException($"Outcome {query.OutcomeId} has no activity {query.ActivityId}.");
            var totals = (await resultsTask)?.ByActivity.GetValueOrDefault(activity.Id) ?? Totals.Zero;
            return new ActivityMeasures(activity.Id, activity.PlanId, activity.Discipline, Measures.Of(totals, activity.Spec.Budget.Currency, activity.Spec.Budget.Amount));
        }
    }
}
