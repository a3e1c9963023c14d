using System.ComponentModel.DataAnnotations;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>An activity of a plan. <c>version</c> is the activity's own ETag, for its next change.</summary>
/// <param name="Channel">The channel it runs on.</param>
/// <param name="ChannelLabel">The channel's own name when `channel` is Other.</param>
/// <param name="Audience">A shared audience: the audience or segment both sides target.</param>
/// <param name="KpiKeys">The keys of the outcome KPIs it contributes to.</param>
/// <param name="SegmentId">The customer segment it targets, if any.</param>
/// <param name="Connections">Where its connections to other disciplines are listed (directly or through its plan).</param>
public sealed record ActivityDetails(
    Guid Id, long Version, Guid PlanId, Guid OutcomeId, [property: MaxLength(200)] string Name, Channel Channel, [property: MaxLength(100)] string? ChannelLabel, DateOnly StartsOn, DateOnly EndsOn, Money Budget,
    [property: MaxLength(500)] string? Audience, [property: MaxLength(20), ItemsLength(64)] IReadOnlyList<string> KpiKeys, Guid? SegmentId, ActivityStatus Status, DateTimeOffset UpdatedAt, [property: MaxLength(200)] string Connections) : IVersioned
{

    public static ActivityDetails From(Activity a, long version) => new(
        a.Id, version, a.PlanId, a.OutcomeId, a.Spec.Name, a.Spec.Channel, a.Spec.ChannelLabel, a.Spec.StartsOn, a.Spec.EndsOn, a.Spec.Budget,
        a.Spec.Audience, a.Spec.KpiKeys, a.Spec.SegmentId, a.Status, a.UpdatedAt, $"/outcomes/{a.OutcomeId}/connections?activityId={a.Id}");
}

/// <summary>A plan with its activities and budget roll-up; <c>version</c> is also the ETag to send back as If-Match.</summary>
/// <param name="PilotScope">Set for a pilot: the market, segment or channel it tries a practice on.</param>
/// <param name="Objective">What the plan sets out to achieve for the outcome.</param>
/// <param name="Orchestrator">The orchestrator who owns the plan for its discipline.</param>
/// <param name="Planned">Sum of the budgets of activities that are not cancelled.</param>
/// <param name="Remaining">Budget minus planned; negative when the activities cost more than the plan holds.</param>
/// <param name="OverAllocationAccepted">Warning: with this plan the outcome's plans hold more than the outcome's budget.</param>
/// <param name="ReturnComments">The conductor's comments when the plan was last returned.</param>
/// <param name="ClosingReason">Why it was closed or cancelled; null while open.</param>
/// <param name="PromotedInto">For a promoted pilot: the plan its activities went into.</param>
/// <param name="Activities">Every activity in the plan, oldest first.</param>
/// <param name="DraftedAt">When it was drafted (UTC).</param>
public sealed record PlanDetails(
    Guid Id, long Version, Guid OutcomeId, Discipline Discipline, [property: MaxLength(500)] string? PilotScope, [property: MaxLength(200)] string Title, [property: MaxLength(4000)] string Objective, [property: MaxLength(200)] string Orchestrator,
    Money Budget, Money Planned, Balance Remaining, bool OverAllocationAccepted, PlanStatus Status, [property: MaxLength(4000)] string? ReturnComments, [property: MaxLength(2000)] string? ClosingReason,
    Guid? PromotedInto, [property: MaxLength(PlanRules.MaxActivities)] IReadOnlyList<ActivityDetails> Activities, DateTimeOffset DraftedAt, DateTimeOffset UpdatedAt) : IVersioned
{

    public static PlanDetails From(Plan p, long version, IReadOnlyList<Activity> activities) => new(
        p.Id, version, p.OutcomeId, p.Discipline, p.PilotScope, p.Title, p.Objective, p.Orchestrator, p.Budget, p.Budget with { Amount = p.Planned }, Balance.Of(p.Budget.Amount - p.Planned, p.Budget.Currency),
        p.OverAllocationAccepted, p.Status, p.ReturnComments, p.ClosingReason, p.PromotedInto, [.. activities.Select(a => ActivityDetails.From(a, a.Version))],
        p.DraftedAt, p.UpdatedAt);
}
