using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>A change to a connection: what, who, when, and the connection's version after it.</summary>
/// <param name="Summary">What happened, in a sentence.</param>
public sealed record ConnectionChange(long Version, [property: MaxLength(100)] string Change, [property: MaxLength(ContractLimits.MaxWrittenText)] string Summary, [property: MaxLength(200)] string By, DateTimeOffset At);

/// <summary>The connection's events, read from its outcome's graph stream, oldest first.</summary>
public sealed record GetConnectionHistory(Guid OutcomeId, Guid ConnectionId, PageRequest Page) : IRequest<Page<ConnectionChange>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetConnectionHistory, Page<ConnectionChange>>
    {
        public async Task<Page<ConnectionChange>> Handle(GetConnectionHistory query, CancellationToken cancellationToken)
        {
            var limit = Platform.Cursor.Limit(query.Page.Limit);
            var after = Platform.Cursor.DecodePosition(query.Page.Cursor);
            var graphId = ConnectionGraph.IdOf(query.OutcomeId);
            var events = await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamId == graphId)
                .OrderBy(e => e.Version)
                .ToListAsync(cancellationToken);
            var mine = events.Where(e => e.Data is IConnectionEvent c && c.ConnectionId == query.ConnectionId).ToList();
            if (mine.Count == 0)
            {
                throw new NotFoundException($"Outcome {query.OutcomeId} has no connection {query.ConnectionId}.");
            }

            var numbered = mine.Select((e, i) => (Version: (long)i + 1, Event: (IConnectionEvent)e.Data)).Where(x => x.Version > after).Take(limit + 1).ToList();
            return Platform.Cursor.Slice(numbered, limit, x => Platform.Cursor.Encode(x.Version), x => Describe(x.Version, x.Event));
        }

        private static ConnectionChange Describe(long version, IConnectionEvent e) => e switch
        {
            ConnectionDefined d => new(version, "Defined", $"{d.Kind} '{d.Title}' defined between {d.From.Discipline} and {d.To.Discipline}.", d.By, d.At),
            ConnectionRevised r => new(version, "Revised", $"Revised: '{r.Title}', lag {r.LagDays} days.", r.By, r.At),
            ConnectionAcknowledged a => new(version, "Acknowledged", $"{a.Discipline} acknowledged.", a.By, a.At),
            ConnectionContested c => new(version, "Contested", $"{c.Discipline} contested: {c.Reason}", c.By, c.At),
            ConnectionWithdrawn w => new(version, "Withdrawn", $"Withdrawn: {w.Reason}", w.By, w.At),
            ConnectionMet m => new(version, "Met", "Marked met.", m.By, m.At),
            ConnectionBroken b => new(version, "Broken", $"Marked broken: {b.Reason}", b.By, b.At),
            _ => new(version, e.GetType().Name, e.GetType().Name, e.By, e.At),
        };
    }
}
