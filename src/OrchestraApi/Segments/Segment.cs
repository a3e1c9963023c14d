using OrchestraApi.Platform;

namespace OrchestraApi.Segments;

/// <summary>A segment was defined with its customer-value inputs.</summary>
public sealed record SegmentDefined(Guid SegmentId, string Name, long Size, decimal Margin, string Currency, decimal RetentionRate, decimal DiscountRate, string By, DateTimeOffset At) : IEventOf<Segment>;

/// <summary>A segment's inputs were revised (omitted ones unchanged); its CLV and equity move with them.</summary>
public sealed record SegmentRevised(Guid SegmentId, string Name, long Size, decimal Margin, decimal RetentionRate, decimal DiscountRate, string By, DateTimeOffset At) : IEventOf<Segment>;

/// <summary>
/// A customer segment of the organisation (seed 003): its size and the inputs of customer lifetime value — margin per
/// customer per period m, retention rate r, discount rate d. CLV = m · r / (1 + d − r); customer equity = CLV × size.
/// </summary>
public sealed record Segment(Guid Id, string Name, long Size, decimal Margin, string Currency, decimal RetentionRate, decimal DiscountRate, DateTimeOffset DefinedAt, DateTimeOffset UpdatedAt)
    : IFold<Segment>, IStreamVersioned
{
    /// <summary>The stream version, set by Marten.</summary>
    public long Version { get; set; }

    public decimal Clv => Margin * RetentionRate / (1 + DiscountRate - RetentionRate);

    public decimal Equity => Clv * Size;

    public static Segment Start(object first) => first is SegmentDefined e ? Start(e) : throw new UnknownEventException(typeof(Segment), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public Segment Evolve(object e) => e is SegmentRevised x ? On(x) : throw new UnknownEventException(typeof(Segment), e);

    public static Segment Start(SegmentDefined e) => new(e.SegmentId, e.Name, e.Size, e.Margin, e.Currency, e.RetentionRate, e.DiscountRate, e.At, e.At);

    private Segment On(SegmentRevised e) => this with
    {
        Name = e.Name, Size = e.Size, Margin = e.Margin, RetentionRate = e.RetentionRate, DiscountRate = e.DiscountRate, UpdatedAt = e.At,
    };
}
