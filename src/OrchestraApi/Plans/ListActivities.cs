using System.ComponentModel;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public sealed record ActivityFilter
{
    [FromQuery(Name = "discipline")]
    [Description("Only this discipline's activities (exact name).")]
    public Discipline? Discipline { get; init; }

    [FromQuery(Name = "status")]
    [Description("Only activities in this status (exact name).")]
    public ActivityStatus? Status { get; init; }

    [FromQuery(Name = "channel")]
    [Description("Only activities on this channel (exact name).")]
    public Channel? Channel { get; init; }

    [FromQuery(Name = "from")]
    [Description("Only activities running on or after this day: ending on it or later (yyyy-MM-dd).")]
    public DateOnly? From { get; init; }

    [FromQuery(Name = "to")]
    [Description("Only activities running on or before this day: starting on it or earlier (yyyy-MM-dd).")]
    public DateOnly? To { get; init; }
}

public sealed record ListActivities(Guid OutcomeId, ActivityFilter Filter, PageRequest Page) : IRequest<Page<ActivityDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListActivities, Page<ActivityDetails>>
    {
        public async Task<Page<ActivityDetails>> Handle(ListActivities query, CancellationToken cancellationToken)
        {
            var f = query.Filter;
            var outcomeId = query.OutcomeId;
            var page = query.Page.ById();
            var activities = session.Query<Activity>().Where(a => a.OutcomeId == outcomeId);

            if (f.Discipline is { } discipline)
            {
                activities = activities.Where(a => a.Discipline == discipline);
            }

            if (f.Status is { } status)
            {
                activities = activities.Where(a => a.Status == status);
            }

            if (f.Channel is { } channel)
            {
                activities = activities.Where(a => a.Spec.Channel == channel);
            }

            if (f.From is { } from)
            {
                activities = activities.Where(a => a.Spec.EndsOn >= from);
            }

            if (f.To is { } to)
            {
                activities = activities.Where(a => a.Spec.StartsOn <= to);
            }

            var found = await page.ReadAsync(activities, a => a.Id, a => ActivityDetails.From(a, a.Version), cancellationToken);
            if (found.Items.Count == 0)
            {
                // An unknown (or foreign) outcome is a 404, not an empty list; only an empty page needs the extra read.
                await session.OutcomeAsync(outcomeId, cancellationToken);
            }

            return found;
        }
    }
}
