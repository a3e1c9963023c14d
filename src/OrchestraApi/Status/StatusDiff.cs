using System.ComponentModel.DataAnnotations;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>What kind of change a status change is.</summary>
public enum StatusChangeKind
{
    /// <summary>The outcome's state, window or budget.</summary>
    OutcomeChanged,

    /// <summary>The RAG moved (the reasons raised and cleared say why).</summary>
    RagChanged,

    ReasonRaised,
    ReasonCleared,

    /// <summary>A discipline's live plan changed stage (or a discipline got its first plan).</summary>
    PlanChanged,

    ActivityAdded,

    /// <summary>Its dates moved.</summary>
    ActivityMoved,

    ActivityStarted,
    ActivityFinished,
    ActivityCancelled,
    ActivityRebudgeted,
    ConnectionAdded,

    /// <summary>Its state changed, or it went into or out of schedule conflict.</summary>
    ConnectionChanged,

    KpiProgressMoved,

    /// <summary>A discipline's recorded spend moved.</summary>
    SpendChanged,
}

/// <summary>One thing that changed: its kind, what it is about (e.g. `activity {id}`) and a readable sentence.</summary>
/// <param name="Kind">What kind it is.</param>
/// <param name="About">What it is about: a kind and an id, e.g. `activity 0197…`.</param>
/// <param name="Detail">What it means this time, in a sentence.</param>
public sealed record StatusChange(StatusChangeKind Kind, [property: MaxLength(100)] string About, [property: MaxLength(ContractLimits.MaxWrittenText)] string Detail);

/// <summary>What changed in an outcome's status between two of its states, in a stable order: outcome, RAG, plans, activities, connections, KPIs, spend.</summary>
public static class StatusDiff
{
    public static IReadOnlyList<StatusChange> Between(StatusInputs before, OutcomeStatusReport was, StatusInputs after, OutcomeStatusReport now)
    {
        var changes = new List<StatusChange>();
        var outcome = $"outcome {now.OutcomeId}";
        if (was.State != now.State)
        {
            changes.Add(new(StatusChangeKind.OutcomeChanged, outcome, $"State {was.State} → {now.State}."));
        }

        if (was.StartsOn != now.StartsOn || was.EndsOn != now.EndsOn)
        {
            changes.Add(new(StatusChangeKind.OutcomeChanged, outcome, $"Window {was.StartsOn:yyyy-MM-dd}–{was.EndsOn:yyyy-MM-dd} → {now.StartsOn:yyyy-MM-dd}–{now.EndsOn:yyyy-MM-dd}."));
        }

        if (was.Budget != now.Budget)
        {
            changes.Add(new(StatusChangeKind.OutcomeChanged, outcome, $"Budget {Wording.Number(was.Budget.Amount)} → {now.Budget}."));
        }

        if (was.Rag != now.Rag)
        {
            changes.Add(new(StatusChangeKind.RagChanged, outcome, $"RAG {was.Rag} → {now.Rag}."));
        }

        var wasReasons = was.Reasons.Select(r => (r.Rule, r.About)).ToHashSet();
        var nowReasons = now.Reasons.Select(r => (r.Rule, r.About)).ToHashSet();
        changes.AddRange(now.Reasons.Where(r => !wasReasons.Contains((r.Rule, r.About))).Select(r => new StatusChange(StatusChangeKind.ReasonRaised, r.About, $"{r.Level} `{r.Rule}`: {r.Detail}")));
        changes.AddRange(was.Reasons.Where(r => !nowReasons.Contains((r.Rule, r.About))).Select(r => new StatusChange(StatusChangeKind.ReasonCleared, r.About, $"`{r.Rule}` no longer applies (was: {r.Detail})")));

        foreach (var (old, current) in was.Disciplines.Zip(now.Disciplines).Where(p => p.First.Plan != p.Second.Plan || p.First.PlanId != p.Second.PlanId))
        {
            changes.Add(new(StatusChangeKind.PlanChanged, current.PlanId is { } id ? $"plan {id}" : $"discipline {current.Discipline}", $"{current.Discipline}'s plan: {old.Plan} → {current.Plan}."));
        }

        foreach (var activity in after.Schedule.Activities.OrderBy(a => a.Spec.StartsOn).ThenBy(a => a.Id))
        {
            var about = $"activity {activity.Id}";
            var spec = activity.Spec;
            if (before.Schedule.Activity(activity.Id) is not { } earlier)
            {
                changes.Add(new(StatusChangeKind.ActivityAdded, about, $"{activity.Discipline}: '{spec.Name}' {spec.StartsOn:yyyy-MM-dd}–{spec.EndsOn:yyyy-MM-dd}, {spec.Budget}."));
                continue;
            }

            if (earlier.Spec.StartsOn != spec.StartsOn || earlier.Spec.EndsOn != spec.EndsOn)
            {
                var days = spec.StartsOn.DayNumber - earlier.Spec.StartsOn.DayNumber;
                changes.Add(new(StatusChangeKind.ActivityMoved, about, $"'{spec.Name}' {earlier.Spec.StartsOn:yyyy-MM-dd}–{earlier.Spec.EndsOn:yyyy-MM-dd} → {spec.StartsOn:yyyy-MM-dd}–{spec.EndsOn:yyyy-MM-dd} (start {(days > 0 ? "+" : "")}{Wording.Count(days, "day")})."));
            }

            if (earlier.Spec.Budget != spec.Budget)
            {
                changes.Add(new(StatusChangeKind.ActivityRebudgeted, about, $"'{spec.Name}' budget {Wording.Number(earlier.Spec.Budget.Amount)} → {spec.Budget}."));
            }

            if (earlier.Status != activity.Status)
            {
                var kind = activity.Status switch
                {
                    ActivityStatus.InProgress => StatusChangeKind.ActivityStarted,
                    ActivityStatus.Done => StatusChangeKind.ActivityFinished,
                    _ => StatusChangeKind.ActivityCancelled,
                };
                changes.Add(new(kind, about, $"'{spec.Name}' {earlier.Status} → {activity.Status}."));
            }
        }

        foreach (var connection in after.Schedule.Connections)
        {
            var about = $"connection {connection.Id}";
            var current = ConnectionDetails.Of(after.Schedule, connection);
            if (before.Schedule.Find(connection.Id) is not { } earlier)
            {
                changes.Add(new(StatusChangeKind.ConnectionAdded, about, $"{connection.Kind} '{connection.Title}' ({connection.From.Discipline} → {connection.To.Discipline}), {current.State}{(current.InConflict ? ", in conflict" : "")}."));
                continue;
            }

            var old = ConnectionDetails.Of(before.Schedule, earlier);
            if (old.State != current.State)
            {
                changes.Add(new(StatusChangeKind.ConnectionChanged, about, $"'{connection.Title}' {old.State} → {current.State}{(current.StateReason is null ? "" : $": {current.StateReason}")}."));
            }

            if (old.InConflict != current.InConflict)
            {
                changes.Add(new(StatusChangeKind.ConnectionChanged, about, current.InConflict ? $"'{connection.Title}' is now in conflict: {current.Conflict}" : $"'{connection.Title}' is no longer in conflict."));
            }
        }

        var wasKpis = was.Kpis.ToDictionary(k => k.Key);
        foreach (var kpi in now.Kpis)
        {
            var old = wasKpis.GetValueOrDefault(kpi.Key);
            if (old?.Progress != kpi.Progress)
            {
                changes.Add(new(StatusChangeKind.KpiProgressMoved, $"kpi {kpi.Key}", $"{kpi.Name}: {Percent(old?.Progress)} → {Percent(kpi.Progress)} of its way (current {kpi.Current?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"})."));
            }
        }

        foreach (var (old, current) in was.Disciplines.Zip(now.Disciplines).Where(p => p.First.Spent != p.Second.Spent))
        {
            changes.Add(new(StatusChangeKind.SpendChanged, $"discipline {current.Discipline}", $"{current.Discipline} spent {Wording.Number(old.Spent.Amount)} → {current.Spent}."));
        }

        return changes;
    }

    private static string Percent(decimal? progress) => progress is { } p ? p.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) : "unknown";
}
