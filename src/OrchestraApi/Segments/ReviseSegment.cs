using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Segments;

/// <summary>New inputs for a segment; omitted ones stay. Its CLV and equity (and KPIs derived from them) move at once.</summary>
/// <param name="Size">Customers in the segment.</param>
/// <param name="RetentionRate">Share of customers kept from one period to the next (r).</param>
/// <param name="DiscountRate">Discount rate per period (d).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviseSegmentRequest(
    [property: StringLength(200, MinimumLength = 1)] string? Name = null,
    [property: Range(0, 10_000_000_000)] long? Size = null,
    Money? Margin = null,
    [property: Range(typeof(decimal), "0", "10")] decimal? RetentionRate = null,
    [property: Range(typeof(decimal), "0", "10")] decimal? DiscountRate = null)
    : IHasExample<ReviseSegmentRequest>
{
    public static ReviseSegmentRequest Example => new(Size: 52_000, RetentionRate: 0.82m);
}

public sealed record ReviseSegment(Guid SegmentId, long ExpectedVersion, ReviseSegmentRequest Request, string By) : ICommand<SegmentDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ReviseSegment, SegmentDetails>
    {
        public async Task<SegmentDetails> Handle(ReviseSegment command, CancellationToken cancellationToken)
        {
            var (segment, version) = await session.DecideAsync<Segment>(command.SegmentId, command.ExpectedVersion, s => [Revise(s, command, clock.GetUtcNow())], (s, e) => s.Evolve(e), cancellationToken);
            return SegmentDetails.Of(segment, version);
        }

        private static SegmentRevised Revise(Segment s, ReviseSegment command, DateTimeOffset now)
        {
            var r = command.Request;
            if (r.Margin is { } margin && margin.Currency != s.Currency)
            {
                throw new InvalidInputException("margin.currency", $"must stay the segment's currency, {s.Currency}.");
            }

            var retention = r.RetentionRate ?? s.RetentionRate;
            var discount = r.DiscountRate ?? s.DiscountRate;
            var (size, amount) = (r.Size ?? s.Size, r.Margin?.Amount ?? s.Margin);
            SegmentRules.EnsureValues(size, amount, retention, discount);
            return new SegmentRevised(s.Id, r.Name?.Trim() ?? s.Name, size, amount, retention, discount, command.By, now);
        }
    }
}
