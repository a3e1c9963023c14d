using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Outcomes;

internal static class OutcomeSamples
{
    public static DefineOutcomeRequest Define(string title = "Grow loyalty-member lifetime value", string conductor = "Ada Lovelace", params KpiDefinition[] kpis) => new()
    {
        Title = title,
        Description = "Make every discipline speak to loyalty members as one brand.",
        Conductor = conductor,
        Segments = ["loyalty members"],
        StartsOn = new DateOnly(2027, 1, 1),
        EndsOn = new DateOnly(2027, 12, 31),
        Budget = new Money { Amount = 1_250_000.50m, Currency = "EUR" },
        Kpis = kpis,
    };

    public static KpiDefinition Clv(string key = "clv") => new() { Key = key, Name = "Customer lifetime value", Unit = "EUR", Baseline = 420m, Target = 500m, Direction = KpiDirection.Up };

    public static KpiDefinition Churn() => new() { Key = "churn", Name = "Monthly churn", Unit = "%", Baseline = 4.2m, Target = 3.1m, Direction = KpiDirection.Down };

    public static long Version(this OutcomeDetails outcome) => outcome.Version;
}
