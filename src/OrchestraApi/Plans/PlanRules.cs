using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>What an activity command decides: events for the activity's own stream and for its plan's.</summary>
public sealed record ActivityDecision(IReadOnlyList<object> ActivityEvents, IReadOnlyList<object> PlanEvents);

/// <summary>The plan's invariants as pure decisions: (state, command, who, now) → events, or a rule violation (409).</summary>
public static class PlanRules
{
    /// <summary>
    /// Every command that writes a plan's stream locks it first, then writes its document — the order activity
    /// commands keep (decision 10). A writer that only checked If-Match wrote the document first and the stream second,
    /// and deadlocked with an activity command of the same plan (PostgreSQL 40P01, seen under concurrent writers).
    /// </summary>
    public const bool LockedByEveryWriter = true;

    /// <summary>Activities a plan (or pilot) may hold, cancelled ones included: a plan is read whole, so it stays readable.</summary>
    public const int MaxActivities = 5_000;

    /// <summary>Plans and pilots an outcome may have over its life, cancelled and promoted ones included.</summary>
    public const int MaxPlansPerOutcome = 100;

    /// <summary>What an outcome can hold at most, from the two limits above.</summary>
    public const int MaxActivitiesPerOutcome = MaxPlansPerOutcome * MaxActivities;

    public static PlanDrafted Draft(Guid id, DraftPlanRequest request, string? pilotScope, Outcome outcome, IReadOnlyList<PlanAllocation> plansOfOutcome, string by, DateTimeOffset now)
    {
        if (outcome.Status != OutcomeStatus.Active)
        {
            throw Violation("outcome-must-be-active", $"Plans are drafted for active outcomes; this outcome is {outcome.Status}.");
        }

        EnsureCurrency(request.Budget, outcome.Budget.Currency, "plan-currency-matches-outcome", "the outcome");
        if (plansOfOutcome.Count >= MaxPlansPerOutcome)
        {
            throw Violation("plans-per-outcome-limit", $"An outcome holds at most {MaxPlansPerOutcome} plans and pilots; this one has {plansOfOutcome.Count}.");
        }

        if (pilotScope is null && plansOfOutcome.Any(p => p.IsLivePlan && p.Discipline == request.Discipline))
        {
            throw Violation("one-plan-per-discipline", $"The outcome already has {Wording.A(request.Discipline.ToString())} plan; revise it, or draft a pilot.");
        }

        var over = IsOverAllocated(outcome, plansOfOutcome, null, request.Budget.Amount, request.AcceptOverAllocation == true);
        return new PlanDrafted(
            id, outcome.Id, request.Discipline, request.Title.Trim(), request.Objective?.Trim() ?? "", request.Orchestrator.Trim(), request.Budget,
            pilotScope?.Trim(), over, by, now);
    }

    public static PlanRevised Revise(Plan plan, RevisePlanRequest request, Outcome outcome, IReadOnlyList<PlanAllocation> plansOfOutcome, string by, DateTimeOffset now)
    {
        EnsureEditable(plan);
        var budget = request.Budget is { } b && b != plan.Budget ? b : null;
        bool? over = null;
        if (budget is not null)
        {
            EnsureCurrency(budget, outcome.Budget.Currency, "plan-currency-matches-outcome", "the outcome");
            over = IsOverAllocated(outcome, plansOfOutcome, plan.Id, budget.Amount, request.AcceptOverAllocation == true);
        }

        var revised = new PlanRevised(
            plan.Id, plan.OutcomeId,
            Changed(request.Title?.Trim(), plan.Title),
            Changed(request.Objective?.Trim(), plan.Objective),
            Changed(request.Orchestrator?.Trim(), plan.Orchestrator),
            budget,
            over == plan.OverAllocationAccepted ? null : over,
            by,
            now);
        return revised is { Title: null, Objective: null, Orchestrator: null, Budget: null }
            ? throw Violation("revision-changes-something", "The revision changes nothing; send at least one field with a new value.")
            : revised;
    }

    /// <param name="activities">The plan's activities that are not cancelled.</param>
    public static PlanSubmitted Submit(Plan plan, IReadOnlyList<Activity> activities, Outcome outcome, string by, DateTimeOffset now)
    {
        if (plan.Status is not (PlanStatus.Draft or PlanStatus.Returned))
        {
            throw Violation("only-draft-or-returned-can-be-submitted", $"Only a draft or returned plan can be submitted; this one is {plan.Status}.");
        }

        if (plan.ActivityCount == 0)
        {
            throw Violation("plan-needs-activities", "Schedule at least one activity before submitting the plan.");
        }

        if (plan.Planned > plan.Budget.Amount)
        {
            throw Violation("plan-within-budget", $"The activities cost {plan.Budget with { Amount = plan.Planned }}, more than the plan's budget of {plan.Budget}.");
        }

        foreach (var activity in activities)
        {
            EnsureInsideWindow(activity.Spec.StartsOn, activity.Spec.EndsOn, outcome);
        }

        return new PlanSubmitted(plan.Id, plan.OutcomeId, by, now);
    }

    public static PlanApproved Approve(Plan plan, string by, DateTimeOffset now) =>
        plan.Status == PlanStatus.Submitted
            ? new PlanApproved(plan.Id, plan.OutcomeId, by, now)
            : throw Violation("only-submitted-can-be-approved", $"Only a submitted plan can be approved; this one is {plan.Status}.");

    public static PlanReturned Return(Plan plan, string comments, string by, DateTimeOffset now) =>
        plan.Status == PlanStatus.Submitted
            ? new PlanReturned(plan.Id, plan.OutcomeId, comments.Trim(), by, now)
            : throw Violation("only-submitted-can-be-returned", $"Only a submitted plan can be returned; this one is {plan.Status}.");

    /// <param name="open">The plan's activities that are planned or in progress: each is cancelled with it.</param>
    public static (object[] PlanEvents, ActivityCancelled[] ActivityEvents) Cancel(Plan plan, IReadOnlyList<Activity> open, string reason, string by, DateTimeOffset now)
    {
        EnsureOpen(plan);
        var cancelled = open.Select(a => new ActivityCancelled(plan.Id, plan.OutcomeId, a.Id, "The plan was cancelled.", by, now)).ToArray();
        return ([.. open.Select(a => new ActivityClosed(plan.Id, plan.OutcomeId, a.Id, ActivityStatus.Cancelled, a.Spec.Budget.Amount, by, now)), new PlanCancelled(plan.Id, plan.OutcomeId, reason.Trim(), by, now)], cancelled);
    }

    public static ActivityDecision Schedule(Plan plan, Outcome outcome, Guid activityId, ActivitySpec spec, string by, DateTimeOffset now)
    {
        EnsureChangeable(plan);
        EnsureSpec(spec, plan, outcome);
        EnsureRoomFor(plan, 1);
        EnsurePlannedBudget(plan, plan.Planned + spec.Budget.Amount);
        return new(
            [new ActivityScheduled(plan.Id, activityId, plan.OutcomeId, plan.Discipline, spec, by, now)],
            [new ActivityAdded(plan.Id, plan.OutcomeId, activityId, spec.Name, spec.Budget.Amount, ActivityStatus.Planned, by, now)]);
    }

    public static ActivityDecision Reschedule(Plan plan, Activity activity, Outcome outcome, DateOnly startsOn, DateOnly endsOn, string by, DateTimeOffset now)
    {
        EnsureChangeable(plan, activity);
        EnsureDates(startsOn, endsOn);
        EnsureInsideWindow(startsOn, endsOn, outcome);
        return activity.Spec.StartsOn == startsOn && activity.Spec.EndsOn == endsOn
            ? throw Violation("revision-changes-something", "The activity already has these dates.")
            : new([new ActivityRescheduled(plan.Id, plan.OutcomeId, activity.Id, startsOn, endsOn, by, now)], []);
    }

    public static ActivityDecision Rebudget(Plan plan, Activity activity, Money budget, string by, DateTimeOffset now)
    {
        EnsureChangeable(plan, activity);
        EnsureCurrency(budget, plan.Budget.Currency, "activity-currency-matches-plan", "the plan");
        var previous = activity.Spec.Budget.Amount;
        EnsurePlannedBudget(plan, plan.Planned - previous + budget.Amount);
        return budget.Amount == previous
            ? throw Violation("revision-changes-something", "The activity already has this budget.")
            : new([new ActivityRebudgeted(plan.Id, plan.OutcomeId, activity.Id, budget, by, now)], [new ActivityBudgetChanged(plan.Id, plan.OutcomeId, activity.Id, budget.Amount, previous, by, now)]);
    }

    public static ActivityDecision Start(Plan plan, Activity activity, string by, DateTimeOffset now)
    {
        if (plan.Status is not (PlanStatus.Approved or PlanStatus.InExecution))
        {
            throw Violation("plan-must-be-approved", $"Activities start once the conductor has approved the plan; it is {plan.Status}.");
        }

        if (activity.Status != ActivityStatus.Planned)
        {
            throw Violation("only-planned-can-start", $"Only a planned activity can start; this one is {activity.Status}.");
        }

        // The first activity started puts an approved plan into execution.
        return new(
            [new ActivityStarted(plan.Id, plan.OutcomeId, activity.Id, by, now)],
            plan.Status == PlanStatus.Approved ? [new PlanExecutionStarted(plan.Id, plan.OutcomeId, activity.Id, by, now)] : []);
    }

    public static ActivityDecision Complete(Plan plan, Activity activity, string by, DateTimeOffset now)
    {
        if (activity.Status != ActivityStatus.InProgress)
        {
            throw Violation("only-in-progress-can-complete", $"Only an activity in progress can be completed; this one is {activity.Status}.");
        }

        return new(
            [new ActivityCompleted(plan.Id, plan.OutcomeId, activity.Id, by, now)],
            WithCompletion(plan, new ActivityClosed(plan.Id, plan.OutcomeId, activity.Id, ActivityStatus.Done, activity.Spec.Budget.Amount, by, now), by, now));
    }

    public static ActivityDecision CancelActivity(Plan plan, Activity activity, string reason, string by, DateTimeOffset now)
    {
        EnsureChangeable(plan, activity);
        return new(
            [new ActivityCancelled(plan.Id, plan.OutcomeId, activity.Id, reason.Trim(), by, now)],
            WithCompletion(plan, new ActivityClosed(plan.Id, plan.OutcomeId, activity.Id, ActivityStatus.Cancelled, activity.Spec.Budget.Amount, by, now), by, now));
    }

    /// <summary>
    /// A pilot's activities that are not cancelled move into the discipline's plan, or into a new draft plan made from
    /// the pilot when there is none; the pilot is closed as promoted.
    /// </summary>
    /// <param name="activities">The pilot's activities that are not cancelled.</param>
    public static (object[] PilotEvents, object[] TargetEvents, ActivityCarriedOver[] ActivityEvents) Promote(
        Plan pilot, IReadOnlyList<Activity> activities, Plan? target, Outcome outcome, Guid newPlanId, string by, DateTimeOffset now)
    {
        if (!pilot.IsPilot)
        {
            throw Violation("only-pilots-can-be-promoted", "Only a pilot can be promoted into its discipline's plan.");
        }

        EnsureChangeable(pilot);
        var targetId = target?.Id ?? newPlanId;
        object[] start = [];
        if (target is null)
        {
            start = [new PlanDrafted(newPlanId, pilot.OutcomeId, pilot.Discipline, pilot.Title, pilot.Objective, pilot.Orchestrator, pilot.Budget, null, pilot.OverAllocationAccepted, by, now)];
        }
        else
        {
            EnsureChangeable(target);
            EnsureRoomFor(target, activities.Count);
            foreach (var activity in activities)
            {
                EnsureSpec(activity.Spec, target, outcome);
            }

            EnsurePlannedBudget(target, target.Planned + activities.Sum(a => a.Spec.Budget.Amount));
        }

        return (
            [new PilotPromoted(pilot.Id, pilot.OutcomeId, targetId, by, now)],
            [.. start, .. activities.Select(a => new ActivityAdded(targetId, pilot.OutcomeId, a.Id, a.Spec.Name, a.Spec.Budget.Amount, a.Status, by, now))],
            [.. activities.Select(a => new ActivityCarriedOver(targetId, a.Id, pilot.Id, pilot.OutcomeId, pilot.Discipline, a.Spec, a.Status, by, now))]);
    }

    // The last open activity of an executing plan closing completes the plan.
    private static object[] WithCompletion(Plan plan, ActivityClosed closed, string by, DateTimeOffset now)
    {
        var after = plan.Evolve(closed);
        return after.Status == PlanStatus.InExecution && after.OpenActivities == 0
            ? [closed, new PlanCompleted(plan.Id, plan.OutcomeId, by, now)]
            : [closed];
    }

    private static bool IsOverAllocated(Outcome outcome, IReadOnlyList<PlanAllocation> plansOfOutcome, Guid? revising, decimal amount, bool accept)
    {
        var allocated = plansOfOutcome.Where(p => p.HoldsBudget && p.Id != revising).Sum(p => p.Budget.Amount) + amount;
        if (allocated > Money.Max)
        {
            // Even when over-allocation is accepted, the plans' total is an amount the API must hold.
            throw Violation("allocation-within-limit", $"The outcome's plans would hold {allocated:N0} {outcome.Budget.Currency} in all, more than {Money.Max:N0}, the most the API holds.");
        }

        if (allocated <= outcome.Budget.Amount)
        {
            return false;
        }

        return accept
            ? true
            : throw Violation(
                "outcome-budget-over-allocated",
                $"With this budget the outcome's plans would hold {outcome.Budget with { Amount = allocated }}, more than its budget of {outcome.Budget}. Send acceptOverAllocation: true to go ahead with a warning.");
    }

    private static void EnsureSpec(ActivitySpec spec, Plan plan, Outcome outcome)
    {
        if (spec.Channel == Channel.Other && string.IsNullOrWhiteSpace(spec.ChannelLabel))
        {
            throw new InvalidInputException("channelLabel", "is required when channel is Other.");
        }

        EnsureDates(spec.StartsOn, spec.EndsOn);
        EnsureInsideWindow(spec.StartsOn, spec.EndsOn, outcome);
        EnsureCurrency(spec.Budget, plan.Budget.Currency, "activity-currency-matches-plan", "the plan");
        var unknown = spec.KpiKeys.Where(k => outcome.Kpis.All(kpi => kpi.Key != k)).ToList();
        if (unknown.Count > 0)
        {
            throw Violation("activity-kpis-belong-to-outcome", $"The outcome has no KPI {string.Join(", ", unknown.Select(k => $"'{k}'"))}.");
        }
    }

    private static void EnsureDates(DateOnly startsOn, DateOnly endsOn)
    {
        if (endsOn < startsOn)
        {
            throw Violation("activity-ends-after-start", $"An activity cannot end ({endsOn:yyyy-MM-dd}) before it starts ({startsOn:yyyy-MM-dd}).");
        }
    }

    private static void EnsureInsideWindow(DateOnly startsOn, DateOnly endsOn, Outcome outcome)
    {
        if (startsOn < outcome.StartsOn || endsOn > outcome.EndsOn)
        {
            throw Violation(
                "activity-inside-outcome-window",
                $"Activities run inside the outcome's window, {outcome.StartsOn:yyyy-MM-dd} to {outcome.EndsOn:yyyy-MM-dd}; this one runs {startsOn:yyyy-MM-dd} to {endsOn:yyyy-MM-dd}.");
        }
    }

    /// <summary>An approved plan's activities fit its budget; any plan's activities add up to an amount the API holds.</summary>
    private static void EnsurePlannedBudget(Plan plan, decimal planned)
    {
        if (planned > Money.Max)
        {
            throw Violation("planned-within-limit", $"The plan's activities would cost {planned:N0} {plan.Budget.Currency} in all, more than {Money.Max:N0}, the most the API holds.");
        }

        if (plan.Status is PlanStatus.Approved or PlanStatus.InExecution && planned > plan.Budget.Amount)
        {
            throw Violation("approved-plan-within-budget", $"The plan is approved with a budget of {plan.Budget}; its activities would cost {plan.Budget with { Amount = planned }}.");
        }
    }

    private static void EnsureCurrency(Money money, string currency, string rule, string what)
    {
        if (money.Currency != currency)
        {
            throw Violation(rule, $"Amounts are in {what}'s currency, {currency}; this one is in {money.Currency}.");
        }
    }

    private static void EnsureOpen(Plan plan)
    {
        if (!plan.IsOpen)
        {
            throw Violation("closed-plan-is-final", $"The plan is {plan.Status}; it accepts no more changes.");
        }
    }

    private static void EnsureEditable(Plan plan)
    {
        EnsureOpen(plan);
        if (plan.Status is not (PlanStatus.Draft or PlanStatus.Returned))
        {
            throw Violation("plan-editable-in-draft-or-returned", $"A plan's title, objective, orchestrator and budget change only in draft or when returned; it is {plan.Status}.");
        }
    }

    // Activities change in any open plan except one awaiting the conductor's decision.
    private static void EnsureRoomFor(Plan plan, int more)
    {
        if (plan.HeldActivities + more > MaxActivities)
        {
            throw Violation("activities-per-plan-limit", $"A plan holds at most {MaxActivities} activities; this one has {plan.HeldActivities}, cancelled ones included.");
        }
    }

    private static void EnsureChangeable(Plan plan)
    {
        EnsureOpen(plan);
        if (plan.Status == PlanStatus.Submitted)
        {
            throw Violation("submitted-plan-is-locked", "The plan is with the conductor; wait for approval or its return before changing it.");
        }
    }

    private static void EnsureChangeable(Plan plan, Activity activity)
    {
        EnsureChangeable(plan);
        if (activity.IsFinal)
        {
            throw Violation("final-activity-is-final", $"The activity is {activity.Status}; it accepts no more changes.");
        }
    }

    private static RuleViolationException Violation(string rule, string message) => new(rule, message);

    private static string? Changed(string? proposed, string current) => proposed is not null && proposed != current ? proposed : null;
}
