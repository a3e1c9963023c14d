using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Plans;

/// <summary>An activity of a plan. <c>planVersion</c> is the plan's ETag, for the next change.</summary>
public sealed record ActivityDetails(
    Guid Id, Guid PlanId, long PlanVersion, string Name, Channel Channel, string? ChannelLabel, DateOnly StartsOn, DateOnly EndsOn, Money Budget,
    string? Audience, IReadOnlyList<string> KpiKeys, ActivityStatus Status) : IVersioned
{
    long IVersioned.Version => PlanVersion;

    /// <summary>The plan's state of the activity (status, dates, budget) with its details from the activity view.</summary>
    public static ActivityDetails From(Plan plan, long version, ActivityState a, ActivitySpec details) => new(
        a.Id, plan.Id, version, details.Name, details.Channel, details.ChannelLabel, a.StartsOn, a.EndsOn, new Money(a.Budget, plan.Budget.Currency),
        details.Audience, details.KpiKeys, a.Status);
}

/// <summary>A plan with its activities and budget roll-up; <c>version</c> is also the ETag to send back as If-Match.</summary>
/// <param name="Planned">Sum of the budgets of activities that are not cancelled.</param>
/// <param name="Remaining">Budget minus planned; negative when the activities cost more than the plan holds.</param>
/// <param name="OverAllocationAccepted">Warning: with this plan the outcome's plans hold more than the outcome's budget.</param>
/// <param name="PilotScope">Set for a pilot: the market, segment or channel it tries a practice on.</param>
/// <param name="PromotedInto">For a promoted pilot: the plan its activities went into.</param>
public sealed record PlanDetails(
    Guid Id, long Version, Guid OutcomeId, Discipline Discipline, string? PilotScope, string Title, string Objective, string Orchestrator,
    Money Budget, decimal Planned, decimal Remaining, bool OverAllocationAccepted, PlanStatus Status, string? ReturnComments, string? ClosingReason,
    Guid? PromotedInto, IReadOnlyList<ActivityDetails> Activities, DateTimeOffset DraftedAt, DateTimeOffset UpdatedAt) : IVersioned
{
    /// <param name="details">The activities' details from the activity view, by id.</param>
    public static PlanDetails From(Plan p, long version, IReadOnlyDictionary<Guid, ActivitySpec> details) => new(
        p.Id, version, p.OutcomeId, p.Discipline, p.PilotScope, p.Title, p.Objective, p.Orchestrator, p.Budget, p.Planned, p.Budget.Amount - p.Planned,
        p.OverAllocationAccepted, p.Status, p.ReturnComments, p.ClosingReason, p.PromotedInto, [.. p.Activities.Select(a => ActivityDetails.From(p, version, a, details[a.Id]))],
        p.DraftedAt, p.UpdatedAt);
}
