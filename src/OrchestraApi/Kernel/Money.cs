using System.ComponentModel.DataAnnotations;

namespace OrchestraApi.Kernel;

/// <summary>An amount in an ISO 4217 currency.</summary>
/// <param name="Amount">Non-negative, with at most the currency's decimals (2 for EUR, 0 for JPY, 3 for KWD).</param>
/// <param name="Currency">ISO 4217 code, e.g. EUR.</param>
public sealed record Money(
    [property: Range(typeof(decimal), "0", Money.MaxText, ErrorMessage = "must be between 0 and 1,000,000,000,000.")] decimal Amount,
    [property: Required, RegularExpression("^[A-Z]{3}$", ErrorMessage = "must be an ISO 4217 code such as EUR."), StringLength(3, MinimumLength = 3), IsoCurrency] string Currency)
    : IValidatableObject
{
    /// <summary>The largest amount the API holds, given or computed (a total, a roll-up): 10^12.</summary>
    public const decimal Max = 1_000_000_000_000m;

    public const string MaxText = "1000000000000";

    // ISO 4217 minor units where they are not 2.
    private static readonly Dictionary<string, int> MinorUnits = new(StringComparer.Ordinal)
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0, ["PYG"] = 0,
        ["RWF"] = 0, ["UGX"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
    };

    /// <summary>The currency's decimals: an amount with more is refused rather than silently rounded.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var decimals = MinorUnits.GetValueOrDefault(Currency, 2);
        if (Amount.Scale > decimals && Amount != Math.Round(Amount, decimals))
        {
            yield return new ValidationResult($"must have at most {decimals} decimals in {Currency}.", [nameof(Amount)]);
        }
    }

    /// <summary>As people read it in history entries: "1,250,000.00 EUR".</summary>
    public override string ToString() => $"{Amount.ToString("N2", System.Globalization.CultureInfo.InvariantCulture)} {Currency}";
}

/// <summary>Accepts only active ISO 4217 currency codes.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class IsoCurrencyAttribute : ValidationAttribute
{
    // Active ISO 4217 codes (list one, 2025), minus funds and precious metals.
    private static readonly HashSet<string> Codes = [.. """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF
        CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG
        HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
        MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
        RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
        USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)];

    public IsoCurrencyAttribute() : base("must be an active ISO 4217 currency code such as EUR.")
    {
    }

    public override bool IsValid(object? value) => value is not string code || Codes.Contains(code);
}

/// <summary>A difference of amounts in one currency (what remains, what is unallocated): negative when overspent.</summary>
/// <param name="Amount">Negative when more is planned or allocated than there is.</param>
/// <param name="Currency">ISO 4217 code, e.g. EUR.</param>
public sealed record Balance(decimal Amount, [property: MaxLength(3)] string Currency)
{
    public static Balance Of(decimal amount, string currency) => new(amount, currency);
}
