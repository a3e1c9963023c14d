using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Segments;

/// <summary>A customer segment and the inputs of its lifetime value.</summary>
/// <param name="Size">Customers in the segment, ≥ 0.</param>
/// <param name="Margin">Margin per customer per period (m).</param>
/// <param name="RetentionRate">r: 0 ≤ r &lt; 1 + d.</param>
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
            SegmentRules.EnsureRetention(r.RetentionRate, r.DiscountRate);
            var defined = new SegmentDefined(Guid.CreateVersion7(), r.Name.Trim(), r.Size, r.Margin.Amount, r.Margin.Currency, r.RetentionRate, r.DiscountRate, command.By, clock.GetUtcNow());
            session.Events.StartStream<Segment>(defined.SegmentId, defined);
            return Task.FromResult(SegmentDetails.Of(Segment.Create(defined), 1));
        }
    }
}

public static class SegmentRules
{
    /// <summary>CLV is finite and non-negative only when 0 ≤ r &lt; 1 + d.</summary>
    public static void EnsureRetention(decimal retention, decimal discount)
    {
        if (retention >= 1 + discount)
        {
            throw new InvalidInputException("retentionRate", $"must be below 1 + discountRate ({1 + discount}); otherwise the lifetime value has no finite value.");
        }
    }
}
