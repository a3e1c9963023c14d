using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Marten.Schema.Indexing.Unique;
using OrchestraApi.Platform;
using OrchestraApi.Status;

namespace OrchestraApi.Baselines;

/// <summary>A baseline was saved: the outcome's status at <c>TakenAt</c>, named.</summary>
public sealed record BaselineSaved(Guid BaselineId, Guid OutcomeId, string Name, string? Note, DateTimeOffset TakenAt, Rag Rag, string By) : IEventOf<Baseline>, IOutcomeEvent;

/// <summary>
/// A named moment of an outcome (decision 21). It keeps the moment, its RAG and who saved it, not a copy of the status:
/// the status at that moment is rebuilt from the events whenever it is asked for, and events never change, so the
/// baseline cannot drift from what the outcome really was.
/// </summary>
public sealed record Baseline(Guid Id, Guid OutcomeId, string Name, string? Note, DateTimeOffset TakenAt, Rag Rag, string TakenBy)
    : IFold<Baseline>
{
    public const string NameIndex = "baseline_name";

    /// <summary>Unique per organisation (index): one baseline of a name per outcome, whatever its case.</summary>
    public string NameSlot => $"{OutcomeId:N}:{Name.ToUpperInvariant()}";

    public static Baseline Start(object first) => first is BaselineSaved e ? Start(e) : throw new UnknownEventException(typeof(Baseline), first);

    /// <summary>A baseline is one event: nothing follows it.</summary>
    public Baseline Evolve(object e) => throw new UnknownEventException(typeof(Baseline), e);

    public static Baseline Start(BaselineSaved e) => new(e.BaselineId, e.OutcomeId, e.Name, e.Note, e.TakenAt, e.Rag, e.By);
}

public static class BaselinesStore
{
    public static void AddBaselines(this StoreOptions marten)
    {
        marten.Projections.Add(new FoldProjection<Baseline>(), ProjectionLifecycle.Inline);
        marten.Schema.For<Baseline>()
            .Duplicate(b => b.OutcomeId)
            .UniqueIndex(UniqueIndexType.DuplicatedField, Baseline.NameIndex, TenancyScope.PerTenant, b => b.NameSlot);
        UniqueRules.Add(Baseline.NameIndex, "baseline-name-unique", "The outcome already has a baseline of this name; choose another name.");
    }
}
