using System.Collections;
using System.ComponentModel.DataAnnotations;

namespace OrchestraApi.Platform;

/// <summary>Every string in a list is 1..<paramref name="maximum"/> characters (annotations on a list do not reach its items).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ItemsLengthAttribute(int maximum) : ValidationAttribute($"every item must be 1-{maximum} characters.")
{
    public int Maximum { get; } = maximum;

    public override bool IsValid(object? value) =>
        value is not IEnumerable items || items.Cast<object?>().All(i => i is string { Length: > 0 } s && s.Length <= Maximum && !string.IsNullOrWhiteSpace(s));
}
