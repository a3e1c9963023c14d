using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Tests.Connections;

/// <summary>The connection rules and the schedule's judgements as pure functions: given a schedule, when a connection is defined or work moves, then an event or a violation. No I/O.</summary>
public sealed class ConnectionRulesUnitTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly March1 = new(2027, 3, 1);

    private static readonly Outcome Outcome = Outcome.Start(new OutcomeDefined(
        Guid.CreateVersion7(), "T", "", "Ada", [], new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), new Money(100_000m, "EUR"), "ada", Now))
        .Evolve(new OutcomeActivated(Guid.Empty, "ada", Now));

    private static Plan PlanOf(Discipline d) => Plan.Start(new PlanDrafted(Guid.CreateVersion7(), Outcome.Id, d, $"{d}", "", "o", new Money(10_000m, "EUR"), null, false, "o", Now));

    private static Activity In(Plan plan, string name, int from, int to) => Activity.Start(new ActivityScheduled(
        plan.Id, Guid.CreateVersion7(), Outcome.Id, plan.Discipline, new ActivitySpec(name, Channel.Other, "x", March1.AddDays(from), March1.AddDays(to), new Money(1m, "EUR"), null, []), "o", Now));

    private static Connection Link(ConnectionKind kind, Activity from, Activity to, DateOnly? due = null) => Connection.Start(new ConnectionDefined(
        Guid.CreateVersion7(), Outcome.Id, kind, $"{from.Spec.Name} → {to.Spec.Name}", "", new ConnectionEnd(from.PlanId, from.Id, from.Discipline),
        new ConnectionEnd(to.PlanId, to.Id, to.Discipline), 0, kind == ConnectionKind.Handoff ? "Artwork" : null, due, null, null, "ada", Now));

    private static DefineConnectionRequest Dependency(Activity from, Activity to) =>
        new(ConnectionKind.Dependency, "Follows", new ConnectionSide(from.PlanId, from.Id), new ConnectionSide(to.PlanId, to.Id));

    [Fact]
    public void a_dependency_that_would_close_a_cycle_is_refused_naming_it()
    {
        var (ad, crm) = (PlanOf(Discipline.Advertising), PlanOf(Discipline.Crm));
        var (tv, mail) = (In(ad, "TV", 0, 9), In(crm, "Mail", 10, 19));
        var schedule = new Schedule(Outcome.Id, [Link(ConnectionKind.Dependency, tv, mail)], [tv, mail], [ad, crm]);

        var e = Assert.Throws<RuleViolationException>(() => ConnectionRules.Define(schedule, Outcome, Guid.CreateVersion7(), Dependency(mail, tv), "ada", Now));
        var fine = ConnectionRules.Define(schedule, Outcome, Guid.CreateVersion7(), Dependency(tv, mail), "ada", Now);

        Assert.Equal("dependencies-without-cycles", e.Rule);
        Assert.Contains("'TV'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'Mail'", e.Message, StringComparison.Ordinal);
        Assert.Equal(Outcome.Id, fine.OutcomeId);
    }

    [Fact]
    public void work_moved_into_a_plan_a_dependency_reaches_as_a_whole_is_refused_when_it_closes_a_cycle()
    {
        var (ad, digital, pilot) = (PlanOf(Discipline.Advertising), PlanOf(Discipline.Digital), PlanOf(Discipline.Digital));
        var (a, x) = (In(ad, "A", 0, 5), In(pilot, "X", 0, 3));
        var wholePlan = Connection.Start(new ConnectionDefined(
            Guid.CreateVersion7(), Outcome.Id, ConnectionKind.Dependency, "A → Digital", "", new ConnectionEnd(ad.Id, a.Id, a.Discipline), new ConnectionEnd(digital.Id, null, Discipline.Digital),
            0, null, null, null, null, "ada", Now));
        var schedule = new Schedule(Outcome.Id, [wholePlan, Link(ConnectionKind.Dependency, x, a)], [a, x], [ad, digital, pilot]);

        ConnectionRules.EnsureNoCycle(schedule, "Nothing");
        var e = Assert.Throws<RuleViolationException>(() => ConnectionRules.EnsureNoCycle(schedule.WithActivities([x with { PlanId = digital.Id }]), "Promoting the pilot"));

        Assert.Equal("dependencies-without-cycles", e.Rule);
        Assert.StartsWith("Promoting the pilot would close a dependency cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_hand_off_is_in_conflict_when_its_artefact_cannot_arrive_in_time_either_way()
    {
        var (ad, crm) = (PlanOf(Discipline.Advertising), PlanOf(Discipline.Crm));
        var (tv, mail) = (In(ad, "TV", 0, 9), In(crm, "Mail", 20, 29));
        Schedule With(Connection c) => new(Outcome.Id, [c], [tv, mail], [ad, crm]);

        var inTime = Link(ConnectionKind.Handoff, tv, mail, March1.AddDays(15));
        var lateDelivery = Link(ConnectionKind.Handoff, tv, mail, March1.AddDays(5));
        var dueAfterStart = Link(ConnectionKind.Handoff, tv, mail, March1.AddDays(25));

        Assert.Null(With(inTime).Conflict(inTime));
        Assert.Contains("'TV' ends on 2027-03-10, after 'Artwork' is due on 2027-03-06", With(lateDelivery).Conflict(lateDelivery), StringComparison.Ordinal);
        Assert.Contains("after 'Mail' starts on 2027-03-21", With(dueAfterStart).Conflict(dueAfterStart), StringComparison.Ordinal);
        Assert.NotNull(With(inTime).Conflict(inTime, new Dictionary<Guid, (DateOnly, DateOnly)> { [tv.Id] = (March1.AddDays(8), March1.AddDays(17)) }));
    }
}
