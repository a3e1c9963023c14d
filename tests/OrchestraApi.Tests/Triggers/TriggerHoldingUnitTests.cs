using OrchestraApi.Triggers;

namespace OrchestraApi.Tests.Triggers;

/// <summary>`forDays`: a holding counts once it has lasted that long on end, from when it began; a break starts the count again.</summary>
public sealed class TriggerHoldingUnitTests
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 9, 30, 0, TimeSpan.Zero);

    private static Holding Behind(string subject) => new(subject, "Behind.", new Dictionary<string, decimal?> { ["behindPoints"] = 20m }, []);

    [Fact]
    public void a_holding_lasts_from_when_it_began_and_a_break_starts_the_count_again()
    {
        var since = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);

        var first = TriggerHolding.Sustained([Behind("kpi a"), Behind("kpi b")], since, Start, 2);
        var almost = TriggerHolding.Sustained([Behind("kpi a"), Behind("kpi b")], since, Start.AddDays(2).AddSeconds(-1), 2);
        var afterBBroke = TriggerHolding.Sustained([Behind("kpi a")], since, Start.AddDays(2).AddSeconds(-1), 2);
        var lasted = TriggerHolding.Sustained([Behind("kpi a"), Behind("kpi b")], since, Start.AddDays(2), 2);

        Assert.Empty(first);
        Assert.Empty(almost);
        Assert.Empty(afterBBroke);
        var a = Assert.Single(lasted);
        Assert.Equal(("kpi a", 2m, 2m, 20m), (a.Subject, a.Values["forDays"], a.Values["heldDays"], a.Values["behindPoints"]));
        Assert.EndsWith("So for 2 days on end (since 2027-03-01 09:30 UTC).", a.Summary, StringComparison.Ordinal);
        Assert.Equal(Start.AddDays(2), since["kpi b"]);
    }
}
