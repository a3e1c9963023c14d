using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Segments;
using OrchestraApi.Triggers;

namespace OrchestraApi.Status;

/// <summary>
/// The status rules, pure: (an outcome's inputs, now) → the report with its RAG and every reason; the thresholds; and
/// when time alone may move a rule. Loading the inputs is <see cref="StatusInputs"/>'s job.
/// </summary>
public static class StatusRules
{
    /// <summary>The rule a trigger's flag raises (its `about` names the trigger).</summary>
    public const string TriggerFlag = "trigger-flag";

    /// <summary>Most flags one outcome's status lists (worst and newest first); more are counted in the last one's detail.</summary>
    public const int MaxFlags = 20;

    /// <summary>Whether a reason is a flag raised by this trigger.</summary>
    public static bool IsFlagOf(RagReason reason, Guid triggerId) => reason.Rule == TriggerFlag && reason.About == $"trigger {triggerId}";

    /// <summary>When the status may change with nothing committed: the next midnight (UTC: days left, KPI pace), or a connection's acknowledgement falling due before it.</summary>
    public static DateTimeOffset ChangesWithTimeAt(Schedule schedule, DateTimeOffset at, StatusPolicy policy)
    {
        var midnight = new DateTimeOffset(at.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
        var overdue = schedule.Connections
            .Where(c => c.State == ConnectionState.Proposed)
            .Select(c => c.AwaitedSince.AddDays(policy.AcknowledgementDays))
            .Where(due => due > at)
            .DefaultIfEmpty(midnight)
            .Min();
        return overdue < midnight ? overdue : midnight;
    }

    /// <summary>The report and its RAG from the given state (now, or as of a moment). The rules are listed in the operation's description.</summary>
    /// <param name="flags">The open firings of the outcome whose trigger flags the status (their flags not dismissed).</param>
    public static OutcomeStatusReport Report(
        Outcome outcome, Schedule schedule, OutcomeResults? results, IReadOnlyDictionary<Guid, Segment> segments, DateTimeOffset now, StatusPolicy policy, IReadOnlyList<TriggerFiring> flags)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var currency = outcome.Budget.Currency;
        var reasons = new List<RagReason>();
        var details = schedule.Connections.Select(c => (Connection: c, Details: ConnectionDetails.Of(schedule, c))).ToList();
        var critical = CriticalPathRules.Analyse(schedule, outcome.Id).Path.Select(a => a.ActivityId).ToHashSet();
        var disciplines = new List<DisciplineStatus>();
        foreach (var discipline in Schedule.AllDisciplines)
        {
            var plan = schedule.Plans.Where(p => p.Discipline == discipline && p.IsLivePlan).OrderBy(p => p.Id).FirstOrDefault();
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

        foreach (var (connection, d) in details.Where(x => x.Details.State == ConnectionState.Proposed && x.Connection.AwaitedSince < now.AddDays(-policy.AcknowledgementDays)))
        {
            reasons.Add(new RagReason(Rag.Amber, "acknowledgement-overdue", $"connection {connection.Id}", $"'{connection.Title}' has waited more than {policy.AcknowledgementDays} days for {string.Join(" and ", d.AwaitingAcknowledgementFrom)}.", d.AwaitingAcknowledgementFrom));
        }

        var kpis = outcome.Kpis.Select(k => KpiRules.Standing(k, outcome, results, segments, today, policy.PaceTolerance)).ToList();
        foreach (var kpi in kpis.Where(k => k.Progress is not null && k.Pace == KpiPace.Behind))
        {
            reasons.Add(kpi.Progress < kpi.Elapsed - policy.FarBehind
                ? new RagReason(Rag.Red, "kpi-far-behind-pace", $"kpi {kpi.Key}", $"{kpi.Name} is at {kpi.Progress:P0} of its way with {kpi.Elapsed:P0} of the window gone.", [])
                : new RagReason(Rag.Amber, "kpi-behind-pace", $"kpi {kpi.Key}", $"{kpi.Name} is at {kpi.Progress:P0} of its way with {kpi.Elapsed:P0} of the window gone.", []));
        }

        reasons.AddRange(Flags(flags, Math.Min(MaxFlags, OutcomeStatusReport.MaxReasons - reasons.Count)));
        var ordered = reasons.OrderByDescending(r => r.Level).ThenBy(r => r.Rule, StringComparer.Ordinal).ThenBy(r => r.About, StringComparer.Ordinal).ToList();
        return new OutcomeStatusReport(
            outcome.Id, outcome.Title, outcome.Status, outcome.StartsOn, outcome.EndsOn, Math.Max(0, outcome.EndsOn.DayNumber - today.DayNumber), outcome.Budget,
            new Money(spent, currency), disciplines, kpis, ordered.Count == 0 ? Rag.Green : ordered[0].Level, ordered, today);
    }

    /// <summary>One reason per raised flag, worst and newest first, at most <paramref name="room"/> (the last then counts the rest).</summary>
    private static IEnumerable<RagReason> Flags(IReadOnlyList<TriggerFiring> flags, int room)
    {
        var raised = flags.Where(f => f.FlagRaised).OrderByDescending(f => f.Flag).ThenByDescending(f => f.FiredAt).ThenBy(f => f.Id).ToList();
        for (var i = 0; i < Math.Min(raised.Count, room); i++)
        {
            var f = raised[i];
            var more = i == room - 1 && raised.Count > room ? $" (and {raised.Count - room} more flags)" : "";
            var detail = $"Trigger '{f.TriggerName}' flagged {f.Subject}: {f.Summary}";
            detail = detail.Length + more.Length <= 1000 ? detail + more : detail[..(999 - more.Length)] + "…" + more;
            yield return new RagReason(f.Flag == RagLevel.Red ? Rag.Red : Rag.Amber, TriggerFlag, $"trigger {f.TriggerId}", detail, f.Disciplines);
        }
    }
}
