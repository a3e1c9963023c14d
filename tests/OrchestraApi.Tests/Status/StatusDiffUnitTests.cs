using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Status;

namespace OrchestraApi.Tests.Status;

/// <summary>The diff of two statuses as a pure function: given the inputs and reports at two moments, then the changes named, in a stable order. No I/O.</summary>
public sealed class StatusDiffUnitTests
{
    private static readonly DateTimeOffset Defined = new(2027, 1, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly March1 = new(2027, 3, 1);
    private static readonly Guid Id = Guid.CreateVersion7();
    private static readonly Guid CrmPlan = Guid.CreateVersion7();
    private static readonly Guid AdvertisingPlan = Guid.CreateVersion7();

    private static readonly Outcome Active = Outcome.Start(new OutcomeDefined(Id, "Win back", "", "Ada", [], new DateOnly(2027, 1, 1), new DateOnly(2027, 12, 31), new Money(100_000m, "EUR"), "ada", Defined))
        .Evolve(new OutcomeActivated(Id, "ada", Defined));

    private static Activity Scheduled(Guid plan, Discipline discipline, string name, DateOnly starts, DateOnly ends) => Activity.Start(new ActivityScheduled(
        plan, Guid.CreateVersion7(), Id, discipline, new ActivitySpec(name, Channel.Tv, null, starts, ends, new Money(10_000m, "EUR"), null, []), "ada", Defined));

    private static StatusInputs Inputs(DateTimeOffset at, Connection[] connections, params Activity[] activities) =>
        new(Active, new Schedule(Id, connections, activities, []), null, new Dictionary<Guid, OrchestraApi.Segments.Segment>(), at, StatusPolicy.Default, []);

    /// <summary>A film (ten days from March 1) and a ten-day mailing that depends on it, starting when given.</summary>
    private static (Activity Film, Activity Mailing, Connection Dependency) MailingAfterFilm(DateOnly mailingStartsOn)
    {
        var film = Scheduled(AdvertisingPlan, Discipline.Advertising, "Film", March1, March1.AddDays(9));
        var mailing = Scheduled(CrmPlan, Discipline.Crm, "Mailing", mailingStartsOn, mailingStartsOn.AddDays(10));
        var dependency = Connection.Start(new ConnectionDefined(
            Guid.CreateVersion7(), Id, ConnectionKind.Dependency, "Mailing follows the film", "", new ConnectionEnd(AdvertisingPlan, film.Id, Discipline.Advertising),
            new ConnectionEnd(CrmPlan, mailing.Id, Discipline.Crm), 0, null, null, null, null, "ada", Defined));
        return (film, mailing, dependency);
    }

    private static IReadOnlyList<StatusChange> Diff(StatusInputs before, StatusInputs after) => StatusDiff.Between(before, before.Report(), after, after.Report());

    [Fact]
    public void the_same_state_at_two_moments_has_no_changes()
    {
        var film = Scheduled(AdvertisingPlan, Discipline.Advertising, "Film", March1, March1.AddDays(9));

        Assert.Empty(Diff(Inputs(Defined.AddDays(1), [], film), Inputs(Defined.AddDays(1), [], film)));
    }

    [Fact]
    public void a_moved_activity_a_new_one_and_a_dependency_that_falls_into_conflict_are_each_named_with_what_they_mean()
    {
        var (film, mailing, dependency) = MailingAfterFilm(mailingStartsOn: March1.AddDays(20));
        var moved = mailing.Evolve(new ActivityRescheduled(CrmPlan, Id, mailing.Id, March1.AddDays(4), March1.AddDays(14), "ada", Defined.AddDays(2)));
        var banner = Scheduled(AdvertisingPlan, Discipline.Advertising, "Banner", March1.AddDays(40), March1.AddDays(41));

        var changes = Diff(Inputs(Defined.AddDays(1), [dependency], film, mailing), Inputs(Defined.AddDays(2), [dependency], film, moved, banner));

        Assert.Equal(
            [StatusChangeKind.ActivityMoved, StatusChangeKind.ActivityAdded, StatusChangeKind.ConnectionChanged],
            changes.Where(c => c.Kind is not (StatusChangeKind.RagChanged or StatusChangeKind.ReasonRaised)).Select(c => c.Kind));
        var move = changes.Single(c => c.Kind == StatusChangeKind.ActivityMoved);
        Assert.Equal(($"activity {mailing.Id}", "'Mailing' 2027-03-21–2027-03-31 → 2027-03-05–2027-03-15 (start -16 days)."), (move.About, move.Detail));
        Assert.Equal($"activity {banner.Id}", changes.Single(c => c.Kind == StatusChangeKind.ActivityAdded).About);
        var conflict = changes.Single(c => c.Kind == StatusChangeKind.ConnectionChanged);
        Assert.Equal($"connection {dependency.Id}", conflict.About);
        Assert.StartsWith("'Mailing follows the film' is now in conflict", conflict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void a_started_and_a_cancelled_activity_are_named_by_what_happened_and_a_reason_cleared_says_what_it_was()
    {
        var film = Scheduled(AdvertisingPlan, Discipline.Advertising, "Film", March1, March1.AddDays(9));
        var mailing = Scheduled(CrmPlan, Discipline.Crm, "Mailing", March1.AddDays(20), March1.AddDays(30));
        var started = film.Evolve(new ActivityStarted(AdvertisingPlan, Id, film.Id, "ada", Defined.AddDays(60)));
        var cancelled = mailing.Evolve(new ActivityCancelled(CrmPlan, Id, mailing.Id, "Budget cut", "ada", Defined.AddDays(60)));

        var before = Inputs(Defined.AddDays(59), [], film, mailing);
        var after = Inputs(Defined.AddDays(60), [], started, cancelled);
        var changes = Diff(before, after);

        Assert.Contains(changes, c => (c.Kind, c.About, c.Detail) == (StatusChangeKind.ActivityStarted, $"activity {film.Id}", "'Film' Planned → InProgress."));
        Assert.Contains(changes, c => (c.Kind, c.About, c.Detail) == (StatusChangeKind.ActivityCancelled, $"activity {mailing.Id}", "'Mailing' Planned → Cancelled."));
    }

    [Fact]
    public void moving_back_out_of_a_conflict_clears_its_reason_and_says_what_it_was()
    {
        var (film, mailing, dependency) = MailingAfterFilm(mailingStartsOn: March1.AddDays(4));
        var movedBack = mailing.Evolve(new ActivityRescheduled(CrmPlan, Id, mailing.Id, March1.AddDays(20), March1.AddDays(30), "ada", Defined.AddDays(2)));
        var before = Inputs(Defined.AddDays(1), [dependency], film, mailing);

        var changes = Diff(before, Inputs(Defined.AddDays(2), [dependency], film, movedBack));

        var reason = Assert.Single(before.Report().Reasons, r => r.About == $"connection {dependency.Id}");
        var cleared = Assert.Single(changes, c => c.Kind == StatusChangeKind.ReasonCleared);
        Assert.Equal(($"connection {dependency.Id}", $"`{reason.Rule}` no longer applies (was: {reason.Detail})"), (cleared.About, cleared.Detail));
        Assert.Contains(changes, c => c.Kind == StatusChangeKind.ConnectionChanged && c.Detail == "'Mailing follows the film' is no longer in conflict.");
    }
}
