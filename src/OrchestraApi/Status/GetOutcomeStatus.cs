using Marten;
using MediatR;
using OrchestraApi.Connections;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Segments;

namespace OrchestraApi.Status;

/// <summary>Red, amber or green.</summary>
public enum Rag
{
    Green,
    Amber,
    Red,
}

/// <summary>Why the outcome is not green: the rule, and the thing it is about (a connection, a KPI, a plan, a discipline).</summary>
/// <param name="Disciplines">The disciplines the problem is theirs (none for the outcome's own spend and for KPIs).</param>
public sealed record RagReason(Rag Level, string Rule, string About, string Detail, IReadOnlyList<Discipline> Disciplines);

/// <summary>Where a discipline's live plan is: NoPlan, or the plan's status.</summary>
public enum PlanStage
{
    NoPlan,
    Draft,
    Submitted,
    Returned,
    Approved,
    InExecution,
    Completed,
}

public sealed record ActivityCounts(int Done, int InProgress, int Planned, int Cancelled);

/// <summary>A discipline's connections (either side) by state; inConflict counts live ones in schedule conflict.</summary>
public sealed record ConnectionHealth(int Agreed, int AwaitingAcknowledgement, int Contested, int Broken, int InConflict, int Met);

/// <summary>One discipline of the outcome: its live plan (or NoPlan), activities, money, measures and connections.</summary>
/// <param name="Spent">Cost recorded in its results.</param>
public sealed record DisciplineStatus(
    Discipline Discipline, Guid? PlanId, PlanStage Plan, ActivityCounts Activities, Money Budget, Money Planned, Money Spent,
    long Conversions, Ratio Roi, Ratio CostPerConversion, ConnectionHealth Connections);

/// <summary>Where an outcome stands across all disciplines, and its RAG with the reasons that produced it.</summary>
/// <param name="DaysLeft">Days from today to the window's end (0 when it has ended).</param>
public sealed record OutcomeStatusReport(
    Guid OutcomeId, string Title, OutcomeStatus State, DateOnly StartsOn, DateOnly EndsOn, int DaysLeft, Money Budget, Money Spent,
    IReadOnlyList<DisciplineStatus> Disciplines, IReadOnlyList<KpiStanding> Kpis, Rag Rag, IReadOnlyList<RagReason> Reasons, DateOnly Today);

/// <param name="AsOf">A past moment to read the status as it was then (null: now).</param>
public sealed record GetOutcomeStatus(Guid OutcomeId, DateTimeOffset? AsOf = null) : IRequest<OutcomeStatusReport>
{
    /// <summary>A KPI this far (or more) behind the elapsed share of the window makes the outcome red.</summary>
    public const decimal FarBehind = 0.15m;

    /// <summary>A connection waiting longer than this for acknowledgement makes the outcome amber.</summary>
    public const int AcknowledgementDays = 3;

    public sealed class Handler(IQuerySession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<GetOutcomeStatus, OutcomeStatusReport>
    {
        public async Task<OutcomeStatusReport> Handle(GetOutcomeStatus query, CancellationToken cancellationToken) =>
            (await InputsAsync(session, schedules, query.OutcomeId, query.AsOf, "asOf", clock.GetUtcNow(), cancellationToken)).Report();
    }

    /// <summary>The inputs now, or as of a past moment (400 naming <paramref name="field"/> for a future one).</summary>
    public static async Task<StatusInputs> InputsAsync(
        IQuerySession session, ScheduleCache schedules, Guid outcomeId, DateTimeOffset? asOf, string field, DateTimeOffset now, CancellationToken ct) =>
        await AtAsync(session, await StatusInputs.NowAsync(session, schedules, outcomeId, now, ct), asOf, field, ct);

    /// <summary>The inputs at <paramref name="asOf"/> from the inputs now: themselves for null, a 400 naming <paramref name="field"/> for the future.</summary>
    public static Task<StatusInputs> AtAsync(IQuerySession session, StatusInputs current, DateTimeOffset? asOf, string field, CancellationToken ct) =>
        asOf switch
        {
            null => Task.FromResult(current),
            { } at when at > current.At => throw new InvalidInputException(field, "must not be in the future."),
            { } at => current.AsOfAsync(session, at, ct, field),
        };

    /// <summary>The report and its RAG from the given state (now, or as of a moment). The rules are listed in the operation's description.</summary>
    public static OutcomeStatusReport Report(Outcome outcome, Schedule schedule, OutcomeResults? results, IReadOnlyDictionary<Guid, Segment> segments, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var currency = outcome.Budget.Currency;
        var reasons = new List<RagReason>();
        var details = schedule.Connections.Select(c => (Connection: c, Details: ConnectionDetails.Of(schedule, c))).ToList();
        var critical = GetCriticalPath.Analyse(schedule, outcome.Id).Path.Select(a => a.ActivityId).ToHashSet();
        var disciplines = new List<DisciplineStatus>();
        foreach (var discipline in Schedule.AllDisciplines)
        {
            var plan = schedule.Plans.Where(p => p.Discipline == discipline && p.PilotScope is null && p.Status != PlanStatus.Cancelled).OrderBy(p => p.Id).FirstOrDefault();
            var activities = schedule.Activities.Where(a => a.Discipline == discipline).ToList();
            var totals = results?.ByDiscipline.GetValueOrDefault(discipline) ?? Totals.Zero;
            var mine = details.Where(d => d.Connection.From.Discipline == discipline || d.Connection.To.Discipline == discipline).Select(d => d.Details).ToList();
            var budget = plan?.Budget.Amount ?? 0m;
            disciplines.Add(new DisciplineStatus(
                discipline, plan?.Id, plan is null ? PlanStage.NoPlan : Enum.Parse<PlanStage>(plan.Status.ToString()),
                new ActivityCounts(
                    activities.Count(a => a.Status == ActivityStatus.Done), activities.Count(a => a.Status == ActivityStatus.InProgress),
                    activities.Count(a => a.Status == ActivityStatus.Planned), activities.Count(a => a.Status == ActivityStatus.Cancelled)),
                new Money(budget, currency), new Money(plan?.Planned ?? 0m, currency), new Money(totals.Cost, currency), totals.Conversions,
                Ratio.Of(totals.Revenue - totals.Cost, totals.Cost, "Cost is 0: ROI is undefined."), Ratio.Of(totals.Cost, totals.Conversions, "No conversions yet."),
                new ConnectionHealth(
                    mine.Count(c => c.State == ConnectionState.Agreed), mine.Count(c => c.State == ConnectionState.Proposed), mine.Count(c => c.State == ConnectionState.Contested),
                    mine.Count(c => c.State == ConnectionState.Broken), mine.Count(c => c.InConflict), mine.Count(c => c.State == ConnectionState.Met))));
            if (outcome.Status == OutcomeStatus.Active && plan?.Status is not (PlanStatus.Approved or PlanStatus.InExecution or PlanStatus.Completed))
            {
                reasons.Add(new RagReason(Rag.Amber, "discipline-without-approved-plan", $"discipline {discipline}", plan is null ? $"{discipline} has no plan." : $"{discipline}'s plan is {plan.Status}.", [discipline]));
            }

            if (plan is not null && totals.Cost > plan.Budget.Amount)
            {
                reasons.Add(new RagReason(Rag.Red, "spend-over-budget", $"plan {plan.Id}", $"{discipline} has spent {new Money(totals.Cost, currency)} of its plan's budget of {plan.Budget}.", [discipline]));
            }
        }

        var spent = results?.Outcome.Cost ?? 0m;
        if (spent > outcome.Budget.Amount)
        {
            reasons.Add(new RagReason(Rag.Red, "spend-over-budget", $"outcome {outcome.Id}", $"The outcome has spent {new Money(spent, currency)} of its budget of {outcome.Budget}.", []));
        }

        foreach (var (connection, d) in details.Where(x => x.Connection.Kind is ConnectionKind.Dependency or ConnectionKind.Handoff))
        {
            var trouble = d.State == ConnectionState.Broken ? $"broken: {d.StateReason}" : d.InConflict ? $"in conflict: {d.Conflict}" : null;
            if (trouble is not null)
            {
                IReadOnlyList<Discipline> sides = [connection.From.Discipline, connection.To.Discipline];
                var onPath = schedule.Members(connection.From).Concat(schedule.Members(connection.To)).Any(a => critical.Contains(a.Id));
                reasons.Add(onPath
                    ? new RagReason(Rag.Red, "critical-connection-broken-or-in-conflict", $"connection {connection.Id}", $"'{connection.Title}' is on the critical path and {trouble}", sides)
                    : new RagReason(Rag.Amber, "connection-broken-or-in-conflict", $"connection {connection.Id}", $"'{connection.Title}' is {trouble}", sides));
            }
        }

        foreach (var (connection, d) in details.Where(x => x.Details.State == ConnectionState.Proposed && x.Connection.AwaitedSince < now.AddDays(-AcknowledgementDays)))
        {
            reasons.Add(new RagReason(Rag.Amber, "acknowledgement-overdue", $"connection {connection.Id}", $"'{connection.Title}' has waited more than {AcknowledgementDays} days for {string.Join(" and ", d.AwaitingAcknowledgementFrom)}.", d.AwaitingAcknowledgementFrom));
        }

        var kpis = outcome.Kpis.Select(k => GetKpiProgress.Standing(k, outcome, results, segments, today)).ToList();
        foreach (var kpi in kpis.Where(k => k.Progress is not null && k.Pace == KpiPace.Behind))
        {
            reasons.Add(kpi.Progress < kpi.Elapsed - FarBehind
                ? new RagReason(Rag.Red, "kpi-far-behind-pace", $"kpi {kpi.Key}", $"{kpi.Name} is at {kpi.Progress:P0} of its way with {kpi.Elapsed:P0} of the window gone.", [])
                : new RagReason(Rag.Amber, "kpi-behind-pace", $"kpi {kpi.Key}", $"{kpi.Name} is at {kpi.Progress:P0} of its way with {kpi.Elapsed:P0} of the window gone.", []));
        }

        var ordered = reasons.OrderByDescending(r => r.Level).ThenBy(r => r.Rule, StringComparer.Ordinal).ThenBy(r => r.About, StringComparer.Ordinal).ToList();
        return new OutcomeStatusReport(
            outcome.Id, outcome.Title, outcome.Status, outcome.StartsOn, outcome.EndsOn, Math.Max(0, outcome.EndsOn.DayNumber - today.DayNumber), outcome.Budget,
            new Money(spent, currency), disciplines, kpis, ordered.Count == 0 ? Rag.Green : ordered[0].Level, ordered, today);
    }
}
