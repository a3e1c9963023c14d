using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Marten.Schema.Indexing.Unique;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

public static class PlansStore
{
    public const string LiveSlotIndex = "plan_live_slot";

    public static void AddPlans(this StoreOptions marten)
    {
        // Inline: a command's answer and the next read see the same state, in the same transaction.
        marten.Projections.Add(new FoldProjection<Plan>(), ProjectionLifecycle.Inline);
        marten.Schema.For<Plan>()
            .Duplicate(p => p.OutcomeId)
            .UniqueIndex(UniqueIndexType.DuplicatedField, LiveSlotIndex, TenancyScope.PerTenant, p => p.LiveSlot!);
        // Inline as well: an activity's commands answer with its new version, and the plan's reads list it at once.
        marten.Projections.Add(new FoldProjection<Activity>(), ProjectionLifecycle.Inline);
        marten.Schema.For<Activity>().Duplicate(a => a.OutcomeId).Duplicate(a => a.PlanId);
        UniqueRules.Add(LiveSlotIndex, "one-plan-per-discipline", "The outcome already has a plan for this discipline; revise it, or draft a pilot.");
    }
}
