using System.Globalization;

namespace OrchestraApi.Platform;

/// <summary>How messages print numbers, counts and articles: "10,000,000,000", "1 second", "an Advertising plan".</summary>
public static class Wording
{
    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Number(decimal value) => value.ToString("#,0.##########", CultureInfo.InvariantCulture);

    /// <summary>A bound as an attribute holds it (int, long, double, decimal, or the text of one), never in E notation.</summary>
    public static string Number(object? value) => value switch
    {
        int or long => Number(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        decimal d => Number(d),
        double d when Math.Abs(d) < 7.9e28 => Number((decimal)d),
        string s when decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => Number(d),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>"1 second", "5 seconds".</summary>
    public static string Count(long count, string singular, string? plural = null) =>
        $"{Number(count)} {(Math.Abs(count) == 1 ? singular : plural ?? singular + "s")}";

    /// <summary>"an Advertising", "a Digital": by the first letter, which is right for the API's own names.</summary>
    public static string A(string word) => $"{("AEIOUaeiou".Contains(word[0], StringComparison.Ordinal) ? "an" : "a")} {word}";
}
