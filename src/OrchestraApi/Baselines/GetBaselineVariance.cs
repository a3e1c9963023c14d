using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Status;

namespace OrchestraApi.Baselines;

/// <summary>A discipline then and now: its plan's budget, what its activities plan to spend, and what its results say was spent.</summary>
/// <param name="BudgetNow">The budget now.</param>
/// <param name="PlannedThen">What the activities planned to spend at the baseline's moment.</param>
/// <param name="PlannedNow">What the activities plan to spend now.</param>
/// <param name="SpentThen">What had been spent at the baseline's moment.</param>
/// <param name="SpentNow">What has been spent now.</param>
/// <param name="SpentVariance">Spent now minus spent then.</param>
public sealed record DisciplineVariance(Discipline Discipline, Money BudgetThen, Money BudgetNow, Money PlannedThen, Money PlannedNow, Money SpentThen, Money SpentNow, Money SpentVariance);

/// <summary>An activity that moved, changed status or budget, or is new since the baseline (the "then" fields null).</summary>
/// <param name="StartShiftDays">Days its start moved: positive later, negative earlier (dates lie within 2000–2100).</param>
/// <param name="EndShiftDays">Days its end moved: positive later, negative earlier.</param>
public sealed record ActivityVariance(
    Guid ActivityId, [property: MaxLength(200)] string Name, Discipline Discipline, DateOnly? StartsOnThen, DateOnly StartsOn, DateOnly? EndsOnThen, DateOnly EndsOn,
    [property: Range(-GetBaselineVariance.MaxShiftDays, GetBaselineVariance.MaxShiftDays)] int StartShiftDays,
    [property: Range(-GetBaselineVariance.MaxShiftDays, GetBaselineVariance.MaxShiftDays)] int EndShiftDays,
    ActivityStatus? StatusThen, ActivityStatus Status, Money? BudgetThen, Money Budget);

/// <summary>A KPI's progress then and now, and the points it moved (null where unknown).</summary>
/// <param name="ProgressThen">The KPI's progress at the baseline's moment.</param>
/// <param name="ProgressNow">The KPI's progress now.</param>
/// <param name="Points">Progress now minus progress then, in points of progress (0..1 scale).</param>
public sealed record KpiVariance([property: MaxLength(200)] string Key, [property: MaxLength(200)] string Name, decimal? ProgressThen, decimal? ProgressNow, decimal? Points);

/// <summary>The outcome now against a baseline: RAG, window, budget and spend, activity dates and KPI progress.</summary>
/// <param name="ComparedAt">The moment now is taken as (UTC).</param>
/// <param name="RagThen">The RAG at the baseline's moment.</param>
/// <param name="RagNow">The RAG now.</param>
/// <param name="EndShiftDays">Days the outcome's window end moved: positive later, negative earlier.</param>
public sealed record BaselineVariance(
    BaselineDetails Baseline, DateTimeOffset ComparedAt, Rag RagThen, Rag RagNow, DateOnly EndsOnThen, DateOnly EndsOn,
    [property: Range(-GetBaselineVariance.MaxShiftDays, GetBaselineVariance.MaxShiftDays)] int EndShiftDays,
    Money BudgetThen, Money Budget, [property: MaxLength(4)] IReadOnlyList<DisciplineVariance> Disciplines, [property: MaxLength(PlanRules.MaxActivitiesPerOutcome)] IReadOnlyList<ActivityVariance> Activities, [property: MaxLength(OutcomeRules.MaxKpis)] IReadOnlyList<KpiVariance> Kpis);

public sealed record GetBaselineVariance(Guid OutcomeId, Guid BaselineId) : IRequest<BaselineVariance>
{
    /// <summary>The most a date can move: every date the API holds lies between 2000-01-01 and 2100-12-31.</summary>
    public const int MaxShiftDays = 36_889;

    public sealed class Handler(IQuerySession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<GetBaselineVariance, BaselineVariance>
    {
        public async Task<BaselineVariance> Handle(GetBaselineVariance query, CancellationToken cancellationToken)
        {
            var baseline = await GetBaseline.LoadAsync(session, query.OutcomeId, query.BaselineId, cancellationToken);
            var now = await StatusInputs.NowAsync(session, schedules, query.OutcomeId, clock.GetUtcNow(), cancellationToken);
            var then = await now.AsOfAsync(session, baseline.TakenAt, cancellationToken);
            return Compare(BaselineDetails.Of(baseline), then, now);
        }
    }

    public static BaselineVariance Compare(BaselineDetails baseline, StatusInputs then, StatusInputs now)
    {
        var (was, current) = (then.Report(), now.Report());
        var disciplines = was.Disciplines.Zip(current.Disciplines, (w, c) => new DisciplineVariance(
            c.Discipline, w.Budget, c.Budget, w.Planned, c.Planned, w.Spent, c.Spent, new Money(c.Spent.Amount - w.Spent.Amount, c.Spent.Currency))).ToList();
        var activities = new List<ActivityVariance>();
        foreach (var a in now.Schedule.Activities.OrderBy(a => a.Spec.StartsOn).ThenBy(a => a.Id))
        {
            var old = then.Schedule.Activity(a.Id);
            if (old is not null && old.Spec.StartsOn == a.Spec.StartsOn && old.Spec.EndsOn == a.Spec.EndsOn && old.Status == a.Status && old.Spec.Budget == a.Spec.Budget)
            {
                continue;
            }

            activities.Add(new ActivityVariance(
                a.Id, a.Spec.Name, a.Discipline, old?.Spec.StartsOn, a.Spec.StartsOn, old?.Spec.EndsOn, a.Spec.EndsOn,
                old is null ? 0 : a.Spec.StartsOn.DayNumber - old.Spec.StartsOn.DayNumber, old is null ? 0 : a.Spec.EndsOn.DayNumber - old.Spec.EndsOn.DayNumber,
                old?.Status, a.Status, old?.Spec.Budget, a.Spec.Budget));
        }

        var kpisThen = was.Kpis.ToDictionary(k => k.Key);
        var kpis = current.Kpis.Select(k =>
        {
            var p = kpisThen.GetValueOrDefault(k.Key)?.Progress;
            return new KpiVariance(k.Key, k.Name, p, k.Progress, p is { } a && k.Progress is { } b ? Math.Round((b - a) * 100m, 2) : null);
        }).ToList();
        return new BaselineVariance(
            baseline, now.At, was.Rag, current.Rag, was.EndsOn, current.EndsOn, current.EndsOn.DayNumber - was.EndsOn.DayNumber,
            was.Budget, current.Budget, disciplines, activities, kpis);
    }
}
