using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Results;

public sealed record ResultFilter
{
    [FromQuery(Name = "activityId")]
    [Description("Only the rows of this activity.")]
    public Guid? ActivityId { get; init; }

    [FromQuery(Name = "batchId")]
    [Description("Only the rows of this batch (the `batchId` a recorded batch answered with).")]
    public Guid? BatchId { get; init; }

    [FromQuery(Name = "from")]
    [Description("Only rows whose period ends on or after this day (yyyy-MM-dd).")]
    public DateOnly? From { get; init; }

    [FromQuery(Name = "to")]
    [Description("Only rows whose period starts on or before this day (yyyy-MM-dd).")]
    public DateOnly? To { get; init; }
}

/// <summary>A recorded row as clients see it.</summary>
/// <param name="BatchId">The result batch it was recorded in.</param>
/// <param name="Reached">Audience reached.</param>
/// <param name="Impressions">Impressions.</param>
/// <param name="Responses">Responses.</param>
/// <param name="Revenue">Revenue, in the outcome's currency.</param>
/// <param name="Cost">Cost, in the outcome's currency.</param>
/// <param name="SourceRef">Your own id for the row, as recorded; a row with a reference already recorded for its activity is a duplicate.</param>
/// <param name="SupersededBy">Set when a correction replaced it: its figures no longer count.</param>
/// <param name="RecordedBy">Who recorded it: the name of the API key used.</param>
/// <param name="RecordedAt">When the API recorded it (UTC).</param>
public sealed record ResultDetails(
    Guid Id, Guid BatchId, Guid ActivityId, Guid PlanId, DateOnly From, DateOnly To, long Reached, long Impressions, long Responses, long Conversions,
    Money Revenue, Money Cost, [property: MaxLength(200)] string? SourceRef, Guid? Corrects, Guid? SupersededBy, [property: MaxLength(200)] string RecordedBy, DateTimeOffset RecordedAt)
{
    public static ResultDetails Of(ResultRecord r) => new(
        r.Id, r.BatchId, r.ActivityId, r.Row.PlanId, r.Row.From, r.Row.To, r.Row.Reached, r.Row.Impressions, r.Row.Responses, r.Row.Conversions,
        new Money(r.Row.Revenue, r.Currency), new Money(r.Row.Cost, r.Currency), r.SourceRef, r.Row.Corrects, r.SupersededBy, r.By, r.RecordedAt);
}

public sealed record ListResults(Guid OutcomeId, ResultFilter Filter, PageRequest Page) : IRequest<Page<ResultDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListResults, Page<ResultDetails>>
    {
        public async Task<Page<ResultDetails>> Handle(ListResults query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            var rows = session.Query<ResultRecord>().Where(r => r.OutcomeId == query.OutcomeId);
            var f = query.Filter;
            if (f.ActivityId is { } activity)
            {
                rows = rows.Where(r => r.ActivityId == activity);
            }

            if (f.BatchId is { } batch)
            {
                rows = rows.Where(r => r.BatchId == batch);
            }

            if (f.From is { } from)
            {
                rows = rows.Where(r => r.Row.To >= from);
            }

            if (f.To is { } to)
            {
                rows = rows.Where(r => r.Row.From <= to);
            }

            var found = await page.ReadAsync(rows, r => r.Id, ResultDetails.Of, cancellationToken);
            if (found.Items.Count == 0 && await session.LoadAsync<Outcome>(query.OutcomeId, cancellationToken) is null)
            {
                throw Outcome.NotFound(query.OutcomeId);
            }

            return found;
        }
    }
}
