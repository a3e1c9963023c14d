using Marten;
using Marten.Events.Projections;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>One activity, as the cross-plan activity list reads it.</summary>
public sealed record ActivityView(
    Guid Id, Guid OutcomeId, Guid PlanId, Discipline Discipline, ActivitySpec Spec, ActivityStatus Status, long PlanVersion);

/// <summary>
/// Inline: an activity's events come from one plan stream at a time (a pilot's, then its plan's after promotion),
/// and each plan's appends are serialised by its version, so no concurrent sessions write the same view.
/// </summary>
public sealed partial class ActivityViewProjection : MultiStreamProjection<ActivityView, Guid>
{
    public ActivityViewProjection()
    {
        Identity<ActivityScheduled>(e => e.ActivityId);
        Identity<ActivityCarriedOver>(e => e.ActivityId);
        Identity<ActivityRescheduled>(e => e.ActivityId);
        Identity<ActivityRebudgeted>(e => e.ActivityId);
        Identity<ActivityStarted>(e => e.ActivityId);
        Identity<ActivityCompleted>(e => e.ActivityId);
        Identity<ActivityCancelled>(e => e.ActivityId);
    }

    public static ActivityView Create(JasperFx.Events.IEvent<ActivityScheduled> e) =>
        new(e.Data.ActivityId, e.Data.OutcomeId, e.Data.PlanId, e.Data.Discipline, e.Data.Spec, ActivityStatus.Planned, e.Version);

    public static ActivityView Apply(JasperFx.Events.IEvent<ActivityCarriedOver> e, ActivityView? view) =>
        new(e.Data.ActivityId, e.Data.OutcomeId, e.Data.PlanId, e.Data.Discipline, e.Data.Spec, e.Data.Status, e.Version);

    public static ActivityView Apply(JasperFx.Events.IEvent<ActivityRescheduled> e, ActivityView view) =>
        view with { Spec = view.Spec with { StartsOn = e.Data.StartsOn, EndsOn = e.Data.EndsOn }, PlanVersion = e.Version };

    public static ActivityView Apply(JasperFx.Events.IEvent<ActivityRebudgeted> e, ActivityView view) =>
        view with { Spec = view.Spec with { Budget = e.Data.Budget }, PlanVersion = e.Version };

    public static ActivityView Apply(JasperFx.Events.IEvent<ActivityStarted> e, ActivityView view) => view with { Status = ActivityStatus.InProgress, PlanVersion = e.Version };

    public static ActivityView Apply(JasperFx.Events.IEvent<ActivityCompleted> e, ActivityView view) => view with { Status = ActivityStatus.Done, PlanVersion = e.Version };

    public static ActivityView Apply(JasperFx.Events.IEvent<ActivityCancelled> e, ActivityView view) => view with { Status = ActivityStatus.Cancelled, PlanVersion = e.Version };
}

public sealed record ActivityFilter
{
    /// <summary>The outcome whose activities to list (required).</summary>
    [FromQuery(Name = "outcomeId")]
    public Guid? OutcomeId { get; init; }

    /// <summary>Only this discipline's activities.</summary>
    [FromQuery(Name = "discipline")]
    public Discipline? Discipline { get; init; }

    /// <summary>Only activities in this status.</summary>
    [FromQuery(Name = "status")]
    public ActivityStatus? Status { get; init; }

    /// <summary>Only activities on this channel.</summary>
    [FromQuery(Name = "channel")]
    public Channel? Channel { get; init; }

    /// <summary>Only activities running on or after this day (they end on or after it).</summary>
    [FromQuery(Name = "from")]
    public DateOnly? From { get; init; }

    /// <summary>Only activities running on or before this day (they start on or before it).</summary>
    [FromQuery(Name = "to")]
    public DateOnly? To { get; init; }
}

public sealed record ListActivities(ActivityFilter Filter, PageRequest Page) : IRequest<Page<ActivityDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListActivities, Page<ActivityDetails>>
    {
        public async Task<Page<ActivityDetails>> Handle(ListActivities query, CancellationToken cancellationToken)
        {
            var f = query.Filter;
            var outcomeId = f.OutcomeId ?? throw new InvalidInputException("outcomeId", "is required.");
            var limit = Cursor.Limit(query.Page.Limit);
            var activities = session.Query<ActivityView>().Where(a => a.OutcomeId == outcomeId);
            if (Cursor.DecodeGuid(query.Page.Cursor) is { } after)
            {
                activities = activities.Where(a => a.Id > after);
            }

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

            var page = await activities.OrderBy(a => a.Id).Take(limit + 1).ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                // An unknown (or foreign) outcome is a 404, not an empty list; only an empty page needs the extra read.
                await session.OutcomeAsync(outcomeId, cancellationToken);
            }

            return Cursor.Slice(page, limit, a => Cursor.Encode(a.Id), a => new ActivityDetails(
                a.Id, a.PlanId, a.PlanVersion, a.Spec.Name, a.Spec.Channel, a.Spec.ChannelLabel, a.Spec.StartsOn, a.Spec.EndsOn, a.Spec.Budget, a.Spec.Audience, a.Spec.KpiKeys, a.Status));
        }
    }
}
