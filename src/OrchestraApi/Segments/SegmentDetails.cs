using System.ComponentModel.DataAnnotations;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Segments;

/// <summary>A segment with its customer lifetime value and customer equity; <c>version</c> is its ETag.</summary>
/// <param name="Size">Customers in the segment.</param>
/// <param name="Margin">Margin per customer per period (m).</param>
/// <param name="RetentionRate">Share of customers kept from one period to the next (r), 0 ≤ r ≤ 1 + d − 0.0001.</param>
/// <param name="DiscountRate">Per period (d), ≥ 0.</param>
/// <param name="Clv">Customer lifetime value, m · r / (1 + d − r), rounded to the currency's cents.</param>
/// <param name="Equity">Customer equity, CLV × size (from the unrounded CLV).</param>
public sealed record SegmentDetails(
    Guid Id, long Version, [property: MaxLength(200)] string Name, long Size, Money Margin, decimal RetentionRate, decimal DiscountRate, Money Clv, Money Equity, DateTimeOffset DefinedAt, DateTimeOffset UpdatedAt)
    : IVersioned
{

    public static SegmentDetails Of(Segment s, long version) => new(
        s.Id, version, s.Name, s.Size, new Money(s.Margin, s.Currency), s.RetentionRate, s.DiscountRate,
        new Money(Math.Round(s.Clv, 2), s.Currency), new Money(Math.Round(s.Equity, 2), s.Currency), s.DefinedAt, s.UpdatedAt);
}
