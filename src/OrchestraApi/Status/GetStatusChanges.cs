using System.ComponentModel.DataAnnotations;
using Marten;
using MediatR;
using OrchestraApi.Connections;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>What changed in an outcome's status between two moments, and the RAG at each.</summary>
/// <param name="Since">The earlier moment (UTC).</param>
/// <param name="Until">The later moment (UTC).</param>
/// <param name="RagThen">The RAG at the baseline's moment.</param>
/// <param name="RagNow">The RAG now.</param>
/// <param name="Changes">What changed, in order.</param>
public sealed record StatusChanges(
    Guid OutcomeId, DateTimeOffset Since, DateTimeOffset Until, Rag RagThen, Rag RagNow, [property: MaxLength(StatusChanges.MaxChanges)] IReadOnlyList<StatusChange> Changes)
{
    /// <summary>Most changes between two statuses: the outcome's, each reason raised or cleared, each plan, up to four per activity, two per connection, each KPI and discipline.</summary>
    public const int MaxChanges = 4 + (2 * OutcomeStatusReport.MaxReasons) + 4 + (4 * PlanRules.MaxActivitiesPerOutcome) + (2 * ConnectionRules.MaxConnections) + OutcomeRules.MaxKpis + 4;
}

/// <param name="Since">The earlier moment (required: null is a 400 naming it, once the outcome is known).</param>
/// <param name="Until">The later moment (null: now).</param>
public sealed record GetStatusChanges(Guid OutcomeId, DateTimeOffset? Since, DateTimeOffset? Until) : IRequest<StatusChanges>
{
    public sealed class Handler(IQuerySession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<GetStatusChanges, StatusChanges>
    {
        public async Task<StatusChanges> Handle(GetStatusChanges query, CancellationToken cancellationToken)
        {
            // Read now once; both moments are taken from it.
            var now = await StatusInputs.NowAsync(session, schedules, query.OutcomeId, clock.GetUtcNow(), cancellationToken);
            var after = await GetOutcomeStatus.AtAsync(session, now, query.Until, "until", cancellationToken);
            var since = query.Since ?? throw new InvalidInputException("since", "is required: the earlier of the two moments.");
            if (since > after.At && since <= now.At)
            {
                throw new InvalidInputException("since", "must not be after until.");
            }

            var before = await GetOutcomeStatus.AtAsync(session, now, since, "since", cancellationToken);
            var (then, current) = (before.Report(), after.Report());
            return new StatusChanges(query.OutcomeId, before.At, after.At, then.Rag, current.Rag, StatusDiff.Between(before, then, after, current));
        }
    }
}
