using System.ComponentModel.DataAnnotations;

namespace OrchestraApi.Platform;

/// <summary>An amount in an ISO 4217 currency.</summary>
/// <param name="Amount">Non-negative, at most two decimals are meaningful.</param>
/// <param name="Currency">ISO 4217 code, e.g. EUR.</param>
public sealed record Money(
    [property: Range(typeof(decimal), "0", "1000000000000", ErrorMessage = "must be between 0 and 1,000,000,000,000.")] decimal Amount,
    [property: Required, RegularExpression("^[A-Z]{3}$", ErrorMessage = "must be an ISO 4217 code such as EUR."), StringLength(3, MinimumLength = 3), IsoCurrency] string Currency)
{
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
