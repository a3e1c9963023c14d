using System.ComponentModel;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

public sealed record ConnectionFilter
{
    [FromQuery(Name = "kind")]
    [Description("Only connections of this kind (exact name).")]
    public ConnectionKind? Kind { get; init; }

    [FromQuery(Name = "state")]
    [Description("Only connections in this state (exact name), with cancellations applied: a live connection to cancelled work counts as Broken.")]
    public ConnectionState? State { get; init; }

    [FromQuery(Name = "discipline")]
    [Description("Only connections with a side in this discipline (exact name).")]
    public Discipline? Discipline { get; init; }

    [FromQuery(Name = "activityId")]
    [Description("Only connections with this activity as a side, or its whole plan as a side.")]
    public Guid? ActivityId { get; init; }

    [FromQuery(Name = "inConflict")]
    [Description("true: only connections in schedule conflict now; false: only those without.")]
    public bool? InConflict { get; init; }
}

public sealed record ListConnections(Guid OutcomeId, ConnectionFilter Filter, PageRequest Page) : IRequest<Page<ConnectionDetails>>
{
    public sealed class Handler(IQuerySession session, ScheduleCache schedules) : IRequestHandler<ListConnections, Page<ConnectionDetails>>
    {
        public async Task<Page<ConnectionDetails>> Handle(ListConnections query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            var schedule = await Schedule.LoadAsync(session, query.OutcomeId, schedules, cancellationToken)
                ?? throw Outcome.NotFound(query.OutcomeId);

            var f = query.Filter;
            var plan = f.ActivityId is { } a ? schedule.Activity(a)?.PlanId : null;
            var matching = Details.GetValue(schedule, s => [.. s.Connections.Select(c => ConnectionDetails.Of(s, c))])
                .Where(c => f.Kind is not { } kind || c.Kind == kind)
                .Where(c => f.State is not { } state || c.State == state)
                .Where(c => f.Discipline is not { } d || c.From.Discipline == d || c.To.Discipline == d)
                .Where(c => f.ActivityId is not { } id || Touches(c.From, id, plan) || Touches(c.To, id, plan))
                .Where(c => f.InConflict is not { } conflict || c.InConflict == conflict);
            return page.Read(matching, c => c.Id, c => c);
        }

        /// <summary>Every connection's details, derived once per (immutable, cached) schedule.</summary>
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Schedule, IReadOnlyList<ConnectionDetails>> Details = new();

        private static bool Touches(ConnectionSideDetails side, Guid activityId, Guid? planOfActivity) =>
            side.ActivityId == activityId || (side.ActivityId is null && side.PlanId == planOfActivity);
    }
}
