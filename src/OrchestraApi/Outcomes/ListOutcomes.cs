using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>Filters for the outcome list (all optional).</summary>
public sealed record OutcomeFilter
{
    [FromQuery(Name = "status")]
    [Description("Only items in this status (exact name).")]
    public OutcomeStatus? Status { get; init; }

    [FromQuery(Name = "conductor")]
    [Description("Only outcomes owned by this conductor (exact name, at most 200 characters).")]
    [StringLength(200, ErrorMessage = "must be at most 200 characters.")]
    public string? Conductor { get; init; }
}

public sealed record ListOutcomes(OutcomeFilter Filter, PageRequest Page) : IRequest<Page<OutcomeDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListOutcomes, Page<OutcomeDetails>>
    {
        public async Task<Page<OutcomeDetails>> Handle(ListOutcomes query, CancellationToken cancellationToken)
        {
            var limit = Cursor.Limit(query.Page.Limit);
            var outcomes = session.Query<Outcome>().AsQueryable();
            if (Cursor.DecodeGuid(query.Page.Cursor) is { } after)
            {
                outcomes = outcomes.Where(o => o.Id > after);
            }

            if (query.Filter.Status is { } status)
            {
                outcomes = outcomes.Where(o => o.Status == status);
            }

            if (query.Filter.Conductor is { } conductor)
            {
                outcomes = outcomes.Where(o => o.Conductor == conductor);
            }

            var page = await outcomes.OrderBy(o => o.Id).Take(limit + 1).ToListAsync(cancellationToken);
            return Cursor.Slice(page, limit, o => Cursor.Encode(o.Id), o => OutcomeDetails.From(o, o.Version));
        }
    }
}
