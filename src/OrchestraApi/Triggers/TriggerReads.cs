using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Triggers;

public static class TriggerReads
{
    public static NotFoundException NotFound(Guid triggerId) => new($"Trigger {triggerId} was not found.");
}

public sealed record GetTrigger(Guid TriggerId) : IRequest<TriggerDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetTrigger, TriggerDetails>
    {
        public async Task<TriggerDetails> Handle(GetTrigger query, CancellationToken cancellationToken) =>
            await session.LoadAsync<Trigger>(query.TriggerId, cancellationToken) is { } trigger
                ? TriggerDetails.Of(trigger, trigger.Version)
                : throw TriggerReads.NotFound(query.TriggerId);
    }
}

/// <summary>The organisation's triggers: filters.</summary>
public sealed record TriggerFilter
{
    [FromQuery(Name = "enabled")]
    [System.ComponentModel.Description("Only enabled (true) or only disabled (false) triggers.")]
    public bool? Enabled { get; init; }

    [FromQuery(Name = "kind")]
    [System.ComponentModel.Description("Only triggers with this kind of condition.")]
    public TriggerKind? Kind { get; init; }

    [FromQuery(Name = "outcomeId")]
    [System.ComponentModel.Description("Only triggers that watch this outcome (named in their scope, or watching the whole organisation).")]
    public Guid? OutcomeId { get; init; }
}

public sealed record ListTriggers(TriggerFilter Filter, PageRequest Page) : IRequest<Page<TriggerDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListTriggers, Page<TriggerDetails>>
    {
        public async Task<Page<TriggerDetails>> Handle(ListTriggers query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            var triggers = session.Query<Trigger>().AsQueryable();
            if (query.Filter.Enabled is { } enabled)
            {
                triggers = triggers.Where(t => t.Enabled == enabled);
            }

            if (query.Filter.Kind is { } kind)
            {
                triggers = triggers.Where(t => t.Condition.Kind == kind);
            }

            if (query.Filter.OutcomeId is { } outcomeId)
            {
                triggers = triggers.Where(t => t.Scope.OutcomeIds!.Count == 0 || t.Scope.OutcomeIds.Contains(outcomeId));
            }

            return await page.ReadAsync(triggers, t => t.Id, t => TriggerDetails.Of(t, t.Version), cancellationToken);
        }
    }
}

/// <summary>The trigger as it was after each change.</summary>
/// <param name="Change">Defined or Revised.</param>
/// <param name="Trigger">The trigger after it.</param>
public sealed record TriggerChange(long Version, [property: MaxLength(100)] string Change, TriggerDetails Trigger, [property: MaxLength(200)] string By, DateTimeOffset At);

public sealed record GetTriggerHistory(Guid TriggerId, PageRequest Page) : IRequest<Page<TriggerChange>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetTriggerHistory, Page<TriggerChange>>
    {
        public async Task<Page<TriggerChange>> Handle(GetTriggerHistory query, CancellationToken cancellationToken)
        {
            var limit = Cursor.Limit(query.Page.Limit);
            var after = Cursor.DecodePosition(query.Page.Cursor);
            var events = query.TriggerId == Guid.Empty ? [] : await session.Events.FetchStreamAsync(query.TriggerId, token: cancellationToken);
            if (events.Count == 0 || events[0].Data is not TriggerDefined)
            {
                throw TriggerReads.NotFound(query.TriggerId);
            }

            Trigger? state = null;
            var changes = new List<TriggerChange>();
            foreach (var e in events)
            {
                state = Fold.Next(state, e.Data);
                var (change, by, at) = e.Data switch
                {
                    TriggerDefined d => ("Defined", d.By, d.At),
                    TriggerRevised r => ("Revised", r.By, r.At),
                    _ => (e.Data.GetType().Name, "", e.Timestamp),
                };
                changes.Add(new TriggerChange(e.Version, change, TriggerDetails.Of(state, e.Version), by, at));
            }

            return Cursor.Slice([.. changes.Where(c => c.Version > after).Take(limit + 1)], limit, c => Cursor.Encode(c.Version), c => c);
        }
    }
}
