using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>Filters for the outcome list (all optional).</summary>
public sealed record OutcomeFilter
{
    /// <summary>Only outcomes in this status.</summary>
    [FromQuery(Name = "status")]
    public OutcomeStatus? Status { get; init; }

    /// <summary>Only outcomes owned by this conductor (exact name).</summary>
    [FromQuery(Name = "conductor")]
    [StringLength(200, ErrorMessage = "must be at most 200 characters.")]
    public string? Conductor { get; init; }
}

public sealed record ListOutcomes(OutcomeFilter Filter, PageRequest Page) : IRequest<Page<OutcomeDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListOutcomes, Page<OutcomeDetails>>
    {
        public async Task<Page<OutcomeDetails>> Handle(ListOutcomes query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            var outcomes = session.Query<Outcome>().AsQueryable();

            if (query.Filter.Status is { } status)
            {
                outcomes = outcomes.Where(o => o.Status == status);
            }

            if (query.Filter.Conductor is { } conductor)
            {
                outcomes = outcomes.Where(o => o.Conductor == conductor);
            }

            return await page.ReadAsync(outcomes, o => o.Id, o => OutcomeDetails.From(o, o.Version), cancellationToken);
        }
    }
}
