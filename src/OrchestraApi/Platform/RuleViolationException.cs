namespace OrchestraApi.Platform;

/// <summary>A business rule forbids the change: 409, naming the rule.</summary>
public sealed class RuleViolationException(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}
