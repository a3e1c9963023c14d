using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Segments;

namespace OrchestraApi.Status;

/// <summary>Red, amber or green.</summary>
public enum Rag
{
    Green,
    Amber,
    Red,
}

/// <summary>Why the outcome is not green: the rule, and the thing it is about (a connection, a KPI, a plan, a discipline).</summary>
/// <param name="Level">How serious: Amber or Red.</param>
/// <param name="Rule">The rule's stable name, e.g. `plan-over-budget`.</param>
/// <param name="About">What it is about: a kind and an id, e.g. `activity 0197…`.</param>
/// <param name="Detail">What it means this time, in a sentence.</param>
/// <param name="Disciplines">The disciplines the problem is theirs (none for the outcome's own spend and for KPIs).</param>
public sealed record RagReason(Rag Level, [property: MaxLength(100)] string Rule, [property: MaxLength(100)] string About, [property: MaxLength(ContractLimits.MaxWrittenText)] string Detail, [property: MaxLength(4)] IReadOnlyList<Discipline> Disciplines);

/// <summary>Where a discipline's live plan is: NoPlan, or the plan's status.</summary>
public enum PlanStage
{
    NoPlan,
    Draft,
    Submitted,
    Returned,
    Approved,
    InExecution,
    Completed,
}

/// <param name="Done">Activities done.</param>
/// <param name="InProgress">Activities in progress.</param>
/// <param name="Planned">Activities planned, not started yet.</param>
/// <param name="Cancelled">Activities cancelled.</param>
public sealed record ActivityCounts(int Done, int InProgress, int Planned, int Cancelled);

/// <summary>A discipline's connections (either side) by state; inConflict counts live ones in schedule conflict.</summary>
/// <param name="Agreed">Connections both sides acknowledged.</param>
/// <param name="AwaitingAcknowledgement">Connections awaiting a side's acknowledgement.</param>
/// <param name="Contested">Connections a side contested.</param>
/// <param name="Broken">Connections broken (marked, or by cancelled work).</param>
/// <param name="InConflict">Live connections in schedule conflict now.</param>
/// <param name="Met">Connections met.</param>
public sealed record ConnectionHealth(int Agreed, int AwaitingAcknowledgement, int Contested, int Broken, int InConflict, int Met);

/// <summary>One discipline of the outcome: its live plan (or NoPlan), activities, money, measures and connections.</summary>
/// <param name="Plan">Its live plan's stage: NoPlan, or the plan's status.</param>
/// <param name="Planned">What the activities plan to spend.</param>
/// <param name="Spent">Cost recorded in its results.</param>
/// <param name="Roi">(revenue − cost) / cost.</param>
/// <param name="CostPerConversion">cost / conversions.</param>
/// <param name="Connections">Its connections' health.</param>
public sealed record DisciplineStatus(
    Discipline Discipline, Guid? PlanId, PlanStage Plan, ActivityCounts Activities, Money Budget, Money Planned, Money Spent,
    long Conversions, Ratio Roi, Ratio CostPerConversion, ConnectionHealth Connections);

/// <summary>Where an outcome stands across all disciplines, and its RAG with the reasons that produced it.</summary>
/// <param name="State">Where it is in its lifecycle.</param>
/// <param name="DaysLeft">Days from today to the window's end (0 when it has ended).</param>
/// <param name="Spent">What the recorded results say was spent (their cost).</param>
/// <param name="Reasons">Every reason for the RAG, worst first.</param>
public sealed record OutcomeStatusReport(
    Guid OutcomeId, [property: MaxLength(200)] string Title, OutcomeStatus State, DateOnly StartsOn, DateOnly EndsOn, int DaysLeft, Money Budget, Money Spent,
    [property: MaxLength(4)] IReadOnlyList<DisciplineStatus> Disciplines, [property: MaxLength(OutcomeRules.MaxKpis)] IReadOnlyList<KpiStanding> Kpis, Rag Rag,
    [property: MaxLength(OutcomeStatusReport.MaxReasons)] IReadOnlyList<RagReason> Reasons, DateOnly Today)
{
    /// <summary>Most reasons a RAG can have: one per discipline and plan, the outcome's spend, each connection and each KPI (trigger flags fill what those leave, up to <see cref="StatusRules.MaxFlags"/>).</summary>
    public const int MaxReasons = 4 + PlanRules.MaxPlansPerOutcome + 1 + ConnectionRules.MaxConnections + OutcomeRules.MaxKpis;
}

/// <param name="AsOf">A past moment to read the status as it was then (null: now).</param>
public sealed record GetOutcomeStatus(Guid OutcomeId, DateTimeOffset? AsOf = null) : IRequest<OutcomeStatusReport>
{
    public sealed class Handler(IQuerySession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<GetOutcomeStatus, OutcomeStatusReport>
    {
        public async Task<OutcomeStatusReport> Handle(GetOutcomeStatus query, CancellationToken cancellationToken) =>
            (await InputsAsync(session, schedules, query.OutcomeId, query.AsOf, "asOf", clock.GetUtcNow(), cancellationToken)).Report();
    }

    /// <summary>The inputs now, or as of a past moment (400 naming <paramref name="field"/> for a future one).</summary>
    public static async Task<StatusInputs> InputsAsync(
        IQuerySession session, ScheduleCache schedules, Guid outcomeId, DateTimeOffset? asOf, string field, DateTimeOffset now, CancellationToken ct) =>
        await AtAsync(session, await StatusInputs.NowAsync(session, schedules, outcomeId, now, ct), asOf, field, ct);

    /// <summary>The inputs at <paramref name="asOf"/> from the inputs now: themselves for null, a 400 naming <paramref name="field"/> for the future.</summary>
    public static Task<StatusInputs> AtAsync(IQuerySession session, StatusInputs current, DateTimeOffset? asOf, string field, CancellationToken ct) =>
        asOf switch
        {
            null => Task.FromResult(current),
            { } at when at > current.At => throw new InvalidInputException(field, "must not be in the future."),
            { } at => current.AsOfAsync(session, at, ct, field),
        };
}
