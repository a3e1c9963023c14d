using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Segments;

public sealed record GetSegment(Guid SegmentId) : IRequest<SegmentDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetSegment, SegmentDetails>
    {
        public async Task<SegmentDetails> Handle(GetSegment query, CancellationToken cancellationToken) =>
            await session.LoadAsync<Segment>(query.SegmentId, cancellationToken) is { } segment
                ? SegmentDetails.Of(segment, segment.Version)
                : throw new NotFoundException($"Segment {query.SegmentId} was not found.");
    }
}

public sealed record ListSegments(PageRequest Page) : IRequest<Page<SegmentDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListSegments, Page<SegmentDetails>>
    {
        public async Task<Page<SegmentDetails>> Handle(ListSegments query, CancellationToken cancellationToken)
        {
            return await query.Page.ById().ReadAsync(session.Query<Segment>(), s => s.Id, s => SegmentDetails.Of(s, s.Version), cancellationToken);
        }
    }
}

/// <summary>The segment as it was after each change: its inputs, CLV and equity over time.</summary>
/// <param name="Segment">The segment.</param>
public sealed record SegmentChange(long Version, [property: MaxLength(100)] string Change, SegmentDetails Segment, [property: MaxLength(200)] string By, DateTimeOffset At);

public sealed record GetSegmentHistory(Guid SegmentId, PageRequest Page) : IRequest<Page<SegmentChange>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetSegmentHistory, Page<SegmentChange>>
    {
        public async Task<Page<SegmentChange>> Handle(GetSegmentHistory query, CancellationToken cancellationToken)
        {
            var events = await session.Events.FetchStreamAsync(query.SegmentId, token: cancellationToken);
            if (query.SegmentId == Guid.Empty || events.Count == 0)
            {
                throw new NotFoundException($"Segment {query.SegmentId} was not found.");
            }

            Segment? state = null;
            var changes = new List<SegmentChange>();
            foreach (var e in events)
            {
                state = state is null ? Segment.Start(e.Data) : state.Evolve(e.Data);
                var (change, by, at) = e.Data switch
                {
                    SegmentDefined d => ("Defined", d.By, d.At),
                    SegmentRevised r => ("Revised", r.By, r.At),
                    _ => (e.Data.GetType().Name, "", e.Timestamp),
                };
                changes.Add(new SegmentChange(e.Version, change, SegmentDetails.Of(state, e.Version), by, at));
            }

            var limit = Platform.Cursor.Limit(query.Page.Limit);
            var after = Platform.Cursor.DecodePosition(query.Page.Cursor);
            return Platform.Cursor.Slice([.. changes.Where(c => c.Version > after).Take(limit + 1)], limit, c => Platform.Cursor.Encode(c.Version), c => c);
        }
    }
}
