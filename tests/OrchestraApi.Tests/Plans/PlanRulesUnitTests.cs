using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Tests.Plans;

/// <summary>The plan rules as pure functions: given state, when command, then events or a violation. No I/O.</summary>
public sealed class PlanRulesUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static readonly Outcome Outcome = Outcome.Start(new OutcomeDefined(
        Guid.CreateVersion7(), "T", "", "Ada", [], new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), new Money(100, "EUR"), "ada", Now))
        .Evolve(new KpiAdded(Guid.Empty, new Kpi("clv", "CLV", "EUR", 1, 2, KpiDirection.Up), "ada", Now))
        .Evolve(new OutcomeActivated(Guid.Empty, "ada", Now));

    private static ActivitySpec Spec(decimal budget = 10) => new("A", Channel.Email, null, new DateOnly(2027, 3, 1), new DateOnly(2027, 3, 2), new Money(budget, "EUR"), null, ["clv"]);

    private static Plan Drafted(decimal budget = 50, params object[] then) =>
        then.Aggregate(Plan.Start(new PlanDrafted(Guid.CreateVersion7(), Outcome.Id, Discipline.Crm, "P", "", "Grace", new Money(budget, "EUR"), null, false, "grace", Now)), (p, e) => p.Evolve(e));

    private static Activity Scheduled(Plan plan, decimal budget = 10) =>
        Activity.Start(new ActivityScheduled(plan.Id, Guid.CreateVersion7(), Outcome.Id, Discipline.Crm, Spec(budget), "g", Now));

    [Fact]
    public void a_plan_holds_at_most_its_limit_of_activities_cancelled_ones_included_and_an_outcome_its_limit_of_plans()
    {
        var added = new ActivityAdded(Guid.Empty, Guid.Empty, Guid.Empty, "A", 0, ActivityStatus.Planned, "g", Now);
        var cancelled = new ActivityClosed(Guid.Empty, Guid.Empty, Guid.Empty, ActivityStatus.Cancelled, 0, "g", Now);
        var nearlyFull = Drafted(50, [.. Enumerable.Repeat<object>(added, PlanRules.MaxActivities - 1), cancelled]);
        var full = nearlyFull.Evolve(added);
        var plans = Enumerable.Range(0, PlanRules.MaxPlansPerOutcome)
            .Select(i => new PlanAllocation { Id = Guid.CreateVersion7(), Discipline = Discipline.Crm, Status = PlanStatus.Cancelled, PilotScope = $"p{i}", Budget = new Money(0, "EUR") })
            .ToList();
        var request = new DraftPlanRequest(Outcome.Id, Discipline.Digital, "P", "Grace", new Money(1, "EUR"));

        var scheduled = PlanRules.Schedule(nearlyFull, Outcome, Guid.CreateVersion7(), Spec(), "g", Now);
        var tooMany = Assert.Throws<RuleViolationException>(() => PlanRules.Schedule(full, Outcome, Guid.CreateVersion7(), Spec(), "g", Now));
        var drafted = PlanRules.Draft(Guid.CreateVersion7(), request, null, Outcome, plans[1..], "g", Now);
        var tooManyPlans = Assert.Throws<RuleViolationException>(() => PlanRules.Draft(Guid.CreateVersion7(), request, null, Outcome, plans, "g", Now));

        Assert.Equal(PlanRules.MaxActivities - 2, nearlyFull.ActivityCount);
        Assert.NotEmpty(scheduled.PlanEvents);
        Assert.Equal("activities-per-plan-limit", tooMany.Rule);
        Assert.Equal(Discipline.Digital, drafted.Discipline);
        Assert.Equal("plans-per-outcome-limit", tooManyPlans.Rule);
    }

    [Fact]
    public void completing_the_last_open_activity_of_an_executing_plan_completes_it()
    {
        var draft = Drafted(50);
        var activity = Scheduled(draft);
        var scheduled = PlanRules.Schedule(draft, Outcome, activity.Id, activity.Spec, "g", Now);
        var approved = Drafted(50, [.. scheduled.PlanEvents, new PlanSubmitted(Guid.Empty, Guid.Empty, "g", Now), new PlanApproved(Guid.Empty, Guid.Empty, "c", Now)]);
        var start = PlanRules.Start(approved, activity, "g", Now);
        var executing = start.PlanEvents.Aggregate(approved, (p, e) => p.Evolve(e));
        var started = start.ActivityEvents.Aggregate(activity, (a, e) => a.Evolve(e));

        var completed = PlanRules.Complete(executing, started, "g", Now);

        Assert.Equal(PlanStatus.InExecution, executing.Status);
        Assert.IsType<ActivityCompleted>(Assert.Single(completed.ActivityEvents));
        Assert.Collection(completed.PlanEvents, e => Assert.IsType<ActivityClosed>(e), e => Assert.IsType<PlanCompleted>(e));
    }

    [Fact]
    public void only_the_first_start_puts_an_approved_plan_in_execution()
    {
        var approved = Drafted(50, new PlanSubmitted(Guid.Empty, Guid.Empty, "g", Now), new PlanApproved(Guid.Empty, Guid.Empty, "c", Now));
        var first = PlanRules.Start(approved, Scheduled(approved), "g", Now);
        var executing = first.PlanEvents.Aggregate(approved, (p, e) => p.Evolve(e));

        Assert.IsType<PlanExecutionStarted>(Assert.Single(first.PlanEvents));
        Assert.Empty(PlanRules.Start(executing, Scheduled(executing), "g", Now).PlanEvents);
    }

    [Fact]
    public void cancelling_an_activity_takes_its_budget_out_of_the_plan_and_rebudgeting_moves_it()
    {
        var activity = Scheduled(Drafted(50), 10);
        var plan = Drafted(50, new ActivityAdded(Guid.Empty, Guid.Empty, activity.Id, "A", 10, ActivityStatus.Planned, "g", Now));

        var rebudgeted = PlanRules.Rebudget(plan, activity, new Money(25, "EUR"), "g", Now).PlanEvents.Aggregate(plan, (p, e) => p.Evolve(e));
        var cancelled = PlanRules.CancelActivity(plan, activity, "r", "g", Now).PlanEvents.Aggregate(plan, (p, e) => p.Evolve(e));

        Assert.Equal((10m, 1, 1), (plan.Planned, plan.ActivityCount, plan.OpenActivities));
        Assert.Equal(25m, rebudgeted.Planned);
        Assert.Equal((0m, 0, 0), (cancelled.Planned, cancelled.ActivityCount, cancelled.OpenActivities));
    }

    [Fact]
    public void a_draft_may_plan_beyond_its_budget_but_an_approved_plan_may_not()
    {
        var draft = Drafted(5);
        var scheduled = PlanRules.Schedule(draft, Outcome, Guid.CreateVersion7(), Spec(10), "g", Now);
        var approved = Drafted(15, [.. scheduled.PlanEvents, new PlanSubmitted(Guid.Empty, Guid.Empty, "g", Now), new PlanApproved(Guid.Empty, Guid.Empty, "c", Now)]);

        Assert.Equal(10, approved.Planned);
        Assert.Equal("approved-plan-within-budget", Assert.Throws<RuleViolationException>(() => PlanRules.Schedule(approved, Outcome, Guid.CreateVersion7(), Spec(6), "g", Now)).Rule);
    }

    [Fact]
    public void over_allocation_is_refused_unless_accepted_and_then_recorded()
    {
        var request = new DraftPlanRequest(Outcome.Id, Discipline.Digital, "P", "Grace", new Money(60, "EUR"));
        IReadOnlyList<PlanAllocation> others = [PlanAllocation.Of(Drafted(50))];

        Assert.Equal("outcome-budget-over-allocated", Assert.Throws<RuleViolationException>(() => PlanRules.Draft(Guid.CreateVersion7(), request, null, Outcome, others, "g", Now)).Rule);
        Assert.True(PlanRules.Draft(Guid.CreateVersion7(), request with { AcceptOverAllocation = true }, null, Outcome, others, "g", Now).OverAllocationAccepted);
        Assert.False(PlanRules.Draft(Guid.CreateVersion7(), request with { Budget = new Money(50, "EUR") }, null, Outcome, others, "g", Now).OverAllocationAccepted);
    }

    [Fact]
    public void a_cancelled_plan_frees_its_discipline_slot()
    {
        var cancelled = Drafted(10, new PlanCancelled(Guid.Empty, Guid.Empty, "r", "g", Now));

        Assert.Null(cancelled.LiveSlot);
        Assert.NotNull(Drafted().LiveSlot);
    }
}
