namespace OrchestraApi.Platform;

/// <summary>Unique indexes that stand for business rules: a violation is a 409 naming the rule, not a 500.</summary>
public static class UniqueRules
{
    private static readonly Dictionary<string, (string Rule, string Message)> Rules = [];

    public static void Add(string index, string rule, string message) => Rules[index] = (rule, message);

    public static RuleViolationException? Find(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { SqlState: "23505", ConstraintName: { } constraint }
                && Rules.FirstOrDefault(r => constraint.Contains(r.Key, StringComparison.Ordinal)) is { Key: not null } match)
            {
                return new RuleViolationException(match.Value.Rule, match.Value.Message);
            }
        }

        return null;
    }
}
