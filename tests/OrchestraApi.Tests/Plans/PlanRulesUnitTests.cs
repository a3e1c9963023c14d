using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Tests.Plans;

/// <summary>The plan rules as pure functions: given state, when command, then events or a violation. No I/O.</summary>
public sealed class PlanRulesUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static readonly Outcome Outcome = Outcome.Create(new OutcomeDefined(
        Guid.CreateVersion7(), "T", "", "Ada", [], new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), new Money(100, "EUR"), "ada", Now))
        .Next(new KpiAdded(Guid.Empty, new Kpi("clv", "CLV", "EUR", 1, 2, KpiDirection.Up), "ada", Now))
        .Next(new OutcomeActivated(Guid.Empty, "ada", Now));

    private static ActivitySpec Spec(decimal budget = 10) => new("A", Channel.Email, null, new DateOnly(2027, 3, 1), new DateOnly(2027, 3, 2), new Money(budget, "EUR"), null, ["clv"]);

    private static Plan Drafted(decimal budget = 50, params object[] then) =>
        then.Aggregate(Plan.Create(new PlanDrafted(Guid.CreateVersion7(), Outcome.Id, Discipline.Crm, "P", "", "Grace", new Money(budget, "EUR"), null, false, "grace", Now)), (p, e) => p.Next(e));

    [Fact]
    public void completing_the_last_open_activity_of_an_executing_plan_completes_it()
    {
        var a = Guid.CreateVersion7();
        var plan = Drafted(50, new ActivityScheduled(Guid.Empty, a, Outcome.Id, Discipline.Crm, Spec(), "g", Now), new PlanSubmitted(Guid.Empty, "g", Now), new PlanApproved(Guid.Empty, "c", Now), new ActivityStarted(Guid.Empty, a, "g", Now));

        var events = PlanRules.Complete(plan, a, "g", Now);

        Assert.Equal(PlanStatus.InExecution, plan.Status);
        Assert.Collection(events, e => Assert.IsType<ActivityCompleted>(e), e => Assert.IsType<PlanCompleted>(e));
    }

    [Fact]
    public void a_draft_may_plan_beyond_its_budget_but_an_approved_plan_may_not()
    {
        var draft = Drafted(5);
        var scheduled = PlanRules.Schedule(draft, Outcome, Guid.CreateVersion7(), Spec(10), "g", Now);
        var approved = Drafted(15, scheduled, new PlanSubmitted(Guid.Empty, "g", Now), new PlanApproved(Guid.Empty, "c", Now));

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
        var cancelled = Drafted(10, new PlanCancelled(Guid.Empty, "r", "g", Now));

        Assert.Null(cancelled.LiveSlot);
        Assert.NotNull(Drafted().LiveSlot);
    }
}
