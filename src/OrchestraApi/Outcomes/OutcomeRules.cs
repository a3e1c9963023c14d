using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>The outcome's invariants as pure decisions: (state, command, who, now) → events, or a rule violation (409).</summary>
public static class OutcomeRules
{
    /// <summary>KPIs an outcome may track (as many as a definition may bring).</summary>
    public const int MaxKpis = 20;

    public static object[] Define(Guid id, DefineOutcomeRequest request, string by, DateTimeOffset now)
    {
        EnsureWindow(request.StartsOn, request.EndsOn);
        var kpis = (request.Kpis ?? []).Select(k => k.ToKpi()).ToList();
        EnsureUniqueKeys(kpis);
        kpis.ForEach(EnsureTargetInDirection);
        for (var i = 0; i < kpis.Count; i++)
        {
            EnsureSource(kpis[i], $"kpis[{i}].segmentId");
        }
        var segments = (request.Segments ?? []).Select(s => s.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return
        [
            new OutcomeDefined(id, request.Title.Trim(), request.Description?.Trim() ?? "", request.Conductor.Trim(), segments, request.StartsOn, request.EndsOn, request.Budget, by, now, request.SegmentIds?.Distinct().ToArray() ?? []),
            .. kpis.Select(k => new KpiAdded(id, k, by, now)),
        ];
    }

    public static OutcomeRevised Revise(Outcome outcome, ReviseOutcomeRequest request, string by, DateTimeOffset now)
    {
        EnsureOpen(outcome);
        EnsureWindow(request.StartsOn ?? outcome.StartsOn, request.EndsOn ?? outcome.EndsOn);
        var revised = new OutcomeRevised(
            outcome.Id,
            Changed(request.Title?.Trim(), outcome.Title),
            Changed(request.Description?.Trim(), outcome.Description),
            request.StartsOn is { } s && s != outcome.StartsOn ? s : null,
            request.EndsOn is { } e && e != outcome.EndsOn ? e : null,
            request.Budget is { } b && b != outcome.Budget ? b : null,
            by,
            now);
        return revised is { Title: null, Description: null, StartsOn: null, EndsOn: null, Budget: null }
            ? throw new RuleViolationException("revision-changes-something", "The revision changes nothing; send at least one field with a new value.")
            : revised;
    }

    public static KpiAdded AddKpi(Outcome outcome, KpiDefinition definition, string by, DateTimeOffset now)
    {
        EnsureOpen(outcome);
        if (outcome.Kpis.Count >= MaxKpis)
        {
            throw new RuleViolationException("kpis-per-outcome-limit", $"An outcome tracks at most {MaxKpis} KPIs.");
        }

        var kpi = definition.ToKpi();
        EnsureUniqueKeys([.. outcome.Kpis, kpi]);
        EnsureTargetInDirection(kpi);
        EnsureSource(kpi, "segmentId");
        return new KpiAdded(outcome.Id, kpi, by, now);
    }

    public static KpiRevised ReviseKpi(Outcome outcome, string key, ReviseKpiRequest request, string by, DateTimeOffset now)
    {
        EnsureOpen(outcome);
        var current = outcome.Kpis.FirstOrDefault(k => k.Key == key)
            ?? throw new NotFoundException($"Outcome {outcome.Id} has no KPI '{key}'.");
        var kpi = current with
        {
            Name = request.Name?.Trim() ?? current.Name,
            Unit = request.Unit?.Trim() ?? current.Unit,
            Baseline = request.Baseline ?? current.Baseline,
            Target = request.Target ?? current.Target,
            Direction = request.Direction ?? current.Direction,
        };
        EnsureTargetInDirection(kpi);
        return kpi == current
            ? throw new RuleViolationException("revision-changes-something", "The revision changes nothing; send at least one field with a new value.")
            : new KpiRevised(outcome.Id, kpi, by, now);
    }

    public static OutcomeActivated Activate(Outcome outcome, string by, DateTimeOffset now)
    {
        EnsureOpen(outcome);
        if (outcome.Status != OutcomeStatus.Draft)
        {
            throw new RuleViolationException("only-draft-can-be-activated", $"Only a draft outcome can be activated; this one is {outcome.Status.ToString().ToLowerInvariant()}.");
        }

        return outcome.Kpis.Count == 0
            ? throw new RuleViolationException("active-outcome-needs-kpi", "An active outcome needs at least one KPI; add one first.")
            : new OutcomeActivated(outcome.Id, by, now);
    }

    public static OutcomeClosed Close(Outcome outcome, CloseOutcomeRequest request, string by, DateTimeOffset now)
    {
        EnsureOpen(outcome);
        var result = request.Result switch
        {
            ClosingResult.Achieved => OutcomeStatus.Achieved,
            ClosingResult.Missed => OutcomeStatus.Missed,
            _ => OutcomeStatus.Cancelled,
        };
        if (result != OutcomeStatus.Cancelled && outcome.Status != OutcomeStatus.Active)
        {
            throw new RuleViolationException("only-active-can-be-achieved-or-missed", "Only an active outcome can be closed as achieved or missed; a draft can only be cancelled.");
        }

        return new OutcomeClosed(outcome.Id, result, request.Reason.Trim(), by, now);
    }

    private static void EnsureOpen(Outcome outcome)
    {
        if (outcome.IsClosed)
        {
            throw new RuleViolationException("closed-outcome-is-final", $"The outcome was closed as {outcome.Status.ToString().ToLowerInvariant()}; it accepts no more changes.");
        }
    }

    private static void EnsureWindow(DateOnly startsOn, DateOnly endsOn)
    {
        if (endsOn <= startsOn)
        {
            throw new RuleViolationException("window-ends-after-start", $"The window must end after it starts (startsOn {startsOn:yyyy-MM-dd}, endsOn {endsOn:yyyy-MM-dd}).");
        }
    }

    /// <summary>A segment KPI names its segment; no other KPI does.</summary>
    private static void EnsureSource(Kpi kpi, string field)
    {
        var needsSegment = kpi.Source is KpiSource.SegmentClv or KpiSource.SegmentEquity;
        if (needsSegment != kpi.SegmentId is not null)
        {
            throw new InvalidInputException(field, needsSegment ? $"is required for {Wording.A(kpi.Source.ToString())} KPI." : $"is only for SegmentClv and SegmentEquity KPIs, not {kpi.Source}.");
        }
    }

    private static void EnsureUniqueKeys(IReadOnlyList<Kpi> kpis)
    {
        var duplicate = kpis.GroupBy(k => k.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new RuleViolationException("kpi-key-unique", $"KPI key '{duplicate.Key}' is already used in this outcome.");
        }
    }

    private static void EnsureTargetInDirection(Kpi kpi)
    {
        var ok = kpi.Direction == KpiDirection.Up ? kpi.Target > kpi.Baseline : kpi.Target < kpi.Baseline;
        if (!ok)
        {
            throw new RuleViolationException(
                "kpi-target-in-direction",
                $"KPI '{kpi.Key}' goes {kpi.Direction.ToString().ToLowerInvariant()}, so its target must be {(kpi.Direction == KpiDirection.Up ? "above" : "below")} its baseline ({kpi.Baseline}).");
        }
    }

    private static string? Changed(string? proposed, string current) => proposed is not null && proposed != current ? proposed : null;
}
