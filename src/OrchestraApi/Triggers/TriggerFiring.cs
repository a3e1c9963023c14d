using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;
using OrchestraApi.Status;

namespace OrchestraApi.Triggers;

/// <summary>
/// A trigger's condition became true for a subject: the firing, with the evidence. Its stream's id is made from
/// (trigger, version, subject, the previous firing for them), so two evaluators that see the same state make the same
/// firing and only one of them can start its stream.
/// </summary>
public sealed record TriggerFired(
    Guid FiringId, Guid TriggerId, long TriggerVersion, string TriggerName, Guid OutcomeId, string Subject, string Summary,
    IReadOnlyDictionary<string, decimal?> Values, IReadOnlyList<long> Positions, IReadOnlyList<Discipline> Disciplines, string By, DateTimeOffset At, RagLevel? Flag = null)
    : IEventOf<TriggerFiring>, IOutcomeEvent;

/// <summary>A firing's condition no longer holds for its subject (or its trigger was revised): the trigger may fire for it again.</summary>
public sealed record TriggerCleared(Guid FiringId, Guid TriggerId, Guid OutcomeId, string Reason, string By, DateTimeOffset At) : IEventOf<TriggerFiring>, IOutcomeEvent;

/// <summary>Someone dismissed the flag a firing raised on its outcome's status: the reason leaves the status; the firing stays open while its condition holds.</summary>
public sealed record TriggerFlagDismissed(Guid FiringId, Guid TriggerId, Guid OutcomeId, string? Note, string By, DateTimeOffset At) : IEventOf<TriggerFiring>, IOutcomeEvent;

/// <summary>Who dismissed a firing's flag, when and why.</summary>
public sealed record FlagDismissal(string By, DateTimeOffset At, string? Note);

/// <summary>Where a firing's flag on its outcome's status is.</summary>
public enum FlagState
{
    /// <summary>On the status, as a reason naming the trigger.</summary>
    Raised,

    /// <summary>Gone: the condition cleared.</summary>
    Cleared,

    /// <summary>Gone: someone dismissed it.</summary>
    Dismissed,
}

/// <summary>The flag a firing raised on its outcome's status.</summary>
/// <param name="Level">The RAG it carries.</param>
/// <param name="State">Raised, Cleared (with the condition) or Dismissed.</param>
/// <param name="DismissedBy">Who dismissed it; null unless dismissed.</param>
/// <param name="DismissedAt">When; null unless dismissed.</param>
/// <param name="Note">Why it was dismissed, as they said.</param>
public sealed record FiringFlag(RagLevel Level, FlagState State, [property: MaxLength(200)] string? DismissedBy, DateTimeOffset? DismissedAt, [property: MaxLength(Tasks.TaskRules.MaxNote)] string? Note);

/// <summary>Whether a firing's condition still holds.</summary>
public enum TriggerFiringState
{
    /// <summary>The condition still holds for the subject.</summary>
    Open,

    /// <summary>The condition no longer holds (or the trigger was revised since).</summary>
    Cleared,
}

/// <summary>One firing of a trigger (a document of the organisation, folded from its stream).</summary>
public sealed record TriggerFiring(
    Guid Id, Guid TriggerId, long TriggerVersion, string TriggerName, Guid OutcomeId, string Subject, string Summary, IReadOnlyDictionary<string, decimal?> Values,
    IReadOnlyList<long> Positions, IReadOnlyList<Discipline> Disciplines, DateTimeOffset FiredAt, DateTimeOffset? ClearedAt, string? ClearedBecause)
    : IFold<TriggerFiring>, IStreamVersioned
{
    /// <summary>The stream version, set by Marten.</summary>
    public long Version { get; set; }

    public bool IsOpen => ClearedAt is null;

    /// <summary>The level of the flag it raised; null: it raised none.</summary>
    public RagLevel? Flag { get; init; }

    /// <summary>Who dismissed its flag, when and why; null while not dismissed.</summary>
    public FlagDismissal? FlagDismissed { get; init; }

    /// <summary>Whether its flag is on the outcome's status now: raised, the condition holding, not dismissed.</summary>
    public bool FlagRaised => Flag is not null && IsOpen && FlagDismissed is null;

    public static TriggerFiring Start(object first) => first is TriggerFired e
        ? new(e.FiringId, e.TriggerId, e.TriggerVersion, e.TriggerName, e.OutcomeId, e.Subject, e.Summary, e.Values, e.Positions, e.Disciplines, e.At, null, null) { Flag = e.Flag }
        : throw new UnknownEventException(typeof(TriggerFiring), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public TriggerFiring Evolve(object e) => e switch
    {
        TriggerCleared x => this with { ClearedAt = x.At, ClearedBecause = x.Reason },
        TriggerFlagDismissed x => this with { FlagDismissed = new FlagDismissal(x.By, x.At, x.Note) },
        _ => throw new UnknownEventException(typeof(TriggerFiring), e),
    };

    /// <summary>The id of the firing of (trigger, version, subject) that follows <paramref name="previous"/> (none: the first).</summary>
    public static Guid IdOf(Guid triggerId, long version, string subject, Guid? previous) =>
        NamedIds.Of($"trigger-firing:{triggerId:N}:{version}:{subject}:{previous:N}");
}

/// <summary>A firing of a trigger: when, for which subject, why (the values evaluated) and which changes caused it.</summary>
/// <param name="TriggerId">The trigger that fired.</param>
/// <param name="TriggerVersion">The trigger's version (its definition) when it fired.</param>
/// <param name="TriggerName">The trigger's name then.</param>
/// <param name="OutcomeId">The outcome it fired in.</param>
/// <param name="Subject">What the condition held for: `outcome {id}`, `kpi {key}`, `activity {id}`, `plan {id}`, `discipline {name}` or `connection {id}`.</param>
/// <param name="Summary">The evidence in words.</param>
/// <param name="Values">The values evaluated, by name (e.g. `progress`, `elapsed`, `behindPoints`, `threshold`).</param>
/// <param name="Positions">The feed positions of the changes evaluated when it fired (the last made the condition true); empty when time alone did.</param>
/// <param name="Disciplines">The disciplines the subject belongs to; empty for an outcome-level subject.</param>
/// <param name="State">Open while the condition holds; Cleared after.</param>
/// <param name="FiredAt">When it fired (UTC).</param>
/// <param name="ClearedAt">When the condition stopped holding; null while open.</param>
/// <param name="ClearedBecause">Why it cleared; null while open.</param>
/// <param name="Flag">The flag it raised on the outcome's status (the trigger's `flag` action); null: none.</param>
/// <param name="Version">The firing's version: its ETag, what If-Match needs to dismiss its flag.</param>
public sealed record TriggerFiringDetails(
    Guid Id, Guid TriggerId, long TriggerVersion, [property: MaxLength(TriggerRules.MaxName)] string TriggerName, Guid OutcomeId, [property: MaxLength(300)] string Subject,
    [property: MaxLength(1000)] string Summary, [property: MaxLength(20)] IReadOnlyDictionary<string, decimal?> Values, [property: MaxLength(TriggerRules.MaxPositions)] IReadOnlyList<long> Positions,
    [property: MaxLength(4)] IReadOnlyList<Discipline> Disciplines, TriggerFiringState State, DateTimeOffset FiredAt, DateTimeOffset? ClearedAt, [property: MaxLength(500)] string? ClearedBecause, FiringFlag? Flag, long Version)
    : IVersioned
{
    public static TriggerFiringDetails Of(TriggerFiring f) => new(
        f.Id, f.TriggerId, f.TriggerVersion, f.TriggerName, f.OutcomeId, f.Subject, f.Summary, f.Values, f.Positions, f.Disciplines,
        f.IsOpen ? TriggerFiringState.Open : TriggerFiringState.Cleared, f.FiredAt, f.ClearedAt, f.ClearedBecause,
        f.Flag is { } level
            ? new FiringFlag(level, f.FlagDismissed is not null ? FlagState.Dismissed : f.IsOpen ? FlagState.Raised : FlagState.Cleared, f.FlagDismissed?.By, f.FlagDismissed?.At, f.FlagDismissed?.Note)
            : null,
        f.Version);
}

/// <summary>A trigger's firings: filters.</summary>
public sealed record TriggerFiringFilter
{
    [FromQuery(Name = "state")]
    [System.ComponentModel.Description("Only Open or only Cleared firings.")]
    public TriggerFiringState? State { get; init; }

    [FromQuery(Name = "outcomeId")]
    [System.ComponentModel.Description("Only firings in this outcome.")]
    public Guid? OutcomeId { get; init; }
}

public sealed record ListTriggerFirings(Guid TriggerId, TriggerFiringFilter Filter, PageRequest Page) : IRequest<Page<TriggerFiringDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListTriggerFirings, Page<TriggerFiringDetails>>
    {
        public async Task<Page<TriggerFiringDetails>> Handle(ListTriggerFirings query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            _ = await session.LoadAsync<Trigger>(query.TriggerId, cancellationToken) ?? throw TriggerReads.NotFound(query.TriggerId);
            var firings = session.Query<TriggerFiring>().Where(f => f.TriggerId == query.TriggerId);
            if (query.Filter.State is { } state)
            {
                firings = state == TriggerFiringState.Open ? firings.Where(f => f.ClearedAt == null) : firings.Where(f => f.ClearedAt != null);
            }

            if (query.Filter.OutcomeId is { } outcomeId)
            {
                firings = firings.Where(f => f.OutcomeId == outcomeId);
            }

            return await page.ReadAsync(firings, f => f.Id, TriggerFiringDetails.Of, cancellationToken);
        }
    }
}

public sealed record GetTriggerFiring(Guid TriggerId, Guid FiringId) : IRequest<TriggerFiringDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetTriggerFiring, TriggerFiringDetails>
    {
        public async Task<TriggerFiringDetails> Handle(GetTriggerFiring query, CancellationToken cancellationToken) =>
            await session.LoadAsync<TriggerFiring>(query.FiringId, cancellationToken) is { } firing && firing.TriggerId == query.TriggerId
                ? TriggerFiringDetails.Of(firing)
                : throw NotFound(query.TriggerId, query.FiringId);
    }

    public static NotFoundException NotFound(Guid triggerId, Guid firingId) => new($"Firing {firingId} of trigger {triggerId} was not found.");
}
