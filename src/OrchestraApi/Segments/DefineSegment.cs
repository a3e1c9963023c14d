using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Segments;

/// <summary>A customer segment and the inputs of its lifetime value.</summary>
/// <param name="Size">Customers in the segment, ≥ 0.</param>
/// <param name="Margin">Margin per customer per period (m).</param>
/// <param name="RetentionRate">r: 0 ≤ r ≤ 1 + d − 0.0001.</param>
/// <param name="DiscountRate">d: ≥ 0, at most 10.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DefineSegmentRequest(
    [property: Required, StringLength(200, MinimumLength = 1)] string Name,
    [property: Range(0, 10_000_000_000)] long Size,
    [property: Required] Money Margin,
    [property: Range(typeof(decimal), "0", "10")] decimal RetentionRate,
    [property: Range(typeof(decimal), "0", "10")] decimal DiscountRate)
    : IHasExample<DefineSegmentRequest>
{
    public static DefineSegmentRequest Example => new("Loyalty members, lapsed 6+ months", 48_000, new Money(100m, "EUR"), 0.8m, 0.1m);
}

public sealed record DefineSegment(DefineSegmentRequest Request, string By, [property: JsonIgnore] string? IdempotencyKey) : IIdempotentCommand<SegmentDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<DefineSegment, SegmentDetails>
    {
        public Task<SegmentDetails> Handle(DefineSegment command, CancellationToken cancellationToken)
        {
            var r = command.Request;
            SegmentRules.EnsureValues(r.Size, r.Margin.Amount, r.RetentionRate, r.DiscountRate);
            var defined = new SegmentDefined(Guid.CreateVersion7(), r.Name.Trim(), r.Size, r.Margin.Amount, r.Margin.Currency, r.RetentionRate, r.DiscountRate, command.By, clock.GetUtcNow());
            session.Events.StartStream<Segment>(defined.SegmentId, defined);
            return Task.FromResult(SegmentDetails.Of(Segment.Start(defined), 1));
        }
    }
}

public static class SegmentRules
{
    /// <summary>How far r must stay below 1 + d, so CLV = m·r / (1 + d − r) is finite and computable.</summary>
    public const decimal MinDenominator = 0.0001m;

    /// <summary>The largest amount of money the API holds (see <see cref="Money"/>): CLV and equity are answered as money.</summary>
    public const decimal MaxValue = Money.Max;

    /// <summary>
    /// CLV is finite and non-negative only when 0 ≤ r ≤ 1 + d − 0.0001; it and the equity (CLV × size) must also be
    /// amounts the API can answer. Within these bounds nothing overflows: CLV &lt; 1.1·10^17, equity &lt; 1.1·10^27.
    /// </summary>
    public static void EnsureValues(long size, decimal margin, decimal retention, decimal discount)
    {
        if (1 + discount - retention < MinDenominator)
        {
            throw new InvalidInputException("retentionRate", $"must be at most 1 + discountRate − {MinDenominator} ({1 + discount - MinDenominator}); otherwise the lifetime value has no finite value.");
        }

        var clv = margin * retention / (1 + discount - retention);
        if (clv > MaxValue)
        {
            throw new InvalidInputException("retentionRate", $"gives a lifetime value of {N(clv)}, above {N(MaxValue)}, the largest amount the API holds.");
        }

        if (clv * size > MaxValue)
        {
            throw new InvalidInputException("size", $"gives a customer equity of {N(clv * size)}, above {N(MaxValue)}, the largest amount the API holds.");
        }
    }

    private static string N(decimal value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
