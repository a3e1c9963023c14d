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
    [Description("Only outcomes in this status (exact name).")]
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
