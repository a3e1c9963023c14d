using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Results;

/// <summary>A value of an outcome KPI at a moment.</summary>
/// <param name="Value">The value.</param>
/// <param name="ObservedAt">When the value held; default now. Not in the future, nor before the outcome existed (its window's start or its definition, whichever came first).</param>
/// <param name="ActivityId">The activity that caused it, when known.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ObserveKpiRequest(
    [property: Range(typeof(decimal), "-1000000000000", "1000000000000")] decimal Value, DateTimeOffset? ObservedAt = null, Guid? ActivityId = null)
    : IHasExample<ObserveKpiRequest>
{
    public static ObserveKpiRequest Example => new(452.5m, new DateTimeOffset(2027, 4, 1, 9, 0, 0, TimeSpan.Zero));
}

/// <summary>A recorded KPI observation.</summary>
/// <param name="Value">The value.</param>
/// <param name="ObservedAt">When the value held (UTC).</param>
/// <param name="RecordedAt">When the API recorded it (UTC).</param>
public sealed record KpiObservation(Guid Id, Guid OutcomeId, [property: MaxLength(200)] string Key, decimal Value, DateTimeOffset ObservedAt, Guid? ActivityId, [property: MaxLength(200)] string By, DateTimeOffset RecordedAt);

/// <summary>The conductor records a KPI value: an append to the outcome's results stream, not an edit (no If-Match).</summary>
public sealed record ObserveKpi(Guid OutcomeId, string Key, ObserveKpiRequest Request, string By, [property: JsonIgnore] string? IdempotencyKey) : IIdempotentCommand<KpiObservation>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ObserveKpi, KpiObservation>
    {
        public async Task<KpiObservation> Handle(ObserveKpi command, CancellationToken cancellationToken)
        {
            var outcome = await session.OutcomeAsync(command.OutcomeId, cancellationToken);
            var kpi = outcome.Kpis.FirstOrDefault(k => k.Key == command.Key) ?? throw new NotFoundException($"Outcome {outcome.Id} has no KPI '{command.Key}'.");
            if (kpi.Source != KpiSource.Observed)
            {
                throw new RuleViolationException("derived-kpis-are-not-observed", $"KPI '{kpi.Key}' is derived from {kpi.Source}: it moves with them, not by observations.");
            }

            var now = clock.GetUtcNow();
            var at = command.Request.ObservedAt ?? now;
            if (at > now.AddMinutes(5))
            {
                throw new InvalidInputException("observedAt", "must not be in the future.");
            }

            // Values from the outcome's window may be backfilled after it was defined; what came before it is the baseline.
            var windowStart = new DateTimeOffset(outcome.StartsOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var earliest = windowStart < outcome.DefinedAt ? windowStart : outcome.DefinedAt;
            if (at < earliest)
            {
                throw new InvalidInputException("observedAt", $"must not be before the outcome existed ({earliest:yyyy-MM-dd'T'HH:mm:ss'Z'}: its window's start or its definition, whichever came first); the KPI's baseline holds what came before.");
            }

            if (command.Request.ActivityId is { } activityId && (await session.LoadAsync<Activity>(activityId, cancellationToken))?.OutcomeId != outcome.Id)
            {
                throw new InvalidInputException("activityId", "must be an activity of this outcome.");
            }

            var observed = new KpiObserved(Guid.CreateVersion7(), outcome.Id, kpi.Key, command.Request.Value, at, command.Request.ActivityId, command.By, now);
            // Locked like a result batch: the stream's snapshot (totals and KPI tracks) never loses an update.
            var stream = await session.LockAsync<OutcomeResults>(OutcomeResults.IdOf(outcome.Id), cancellationToken);
            stream.AppendOne(observed);
            var observation = new KpiObservation(observed.ObservationId, outcome.Id, kpi.Key, observed.Value, at, observed.ActivityId, command.By, now);
            session.Store(observation);
            return observation;
        }
    }
}

public sealed record ListKpiObservations(Guid OutcomeId, string Key, PageRequest Page) : IRequest<Page<KpiObservation>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListKpiObservations, Page<KpiObservation>>
    {
        public async Task<Page<KpiObservation>> Handle(ListKpiObservations query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            var outcome = await session.OutcomeAsync(query.OutcomeId, cancellationToken);
            _ = outcome.Kpis.FirstOrDefault(k => k.Key == query.Key) ?? throw new NotFoundException($"Outcome {outcome.Id} has no KPI '{query.Key}'.");
            var observations = session.Query<KpiObservation>().Where(o => o.OutcomeId == query.OutcomeId && o.Key == query.Key);
            return await page.ReadAsync(observations, o => o.Id, o => o, cancellationToken);
        }
    }
}

public sealed record GetKpiObservation(Guid OutcomeId, string Key, Guid ObservationId) : IRequest<KpiObservation>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetKpiObservation, KpiObservation>
    {
        public async Task<KpiObservation> Handle(GetKpiObservation query, CancellationToken cancellationToken) =>
            await session.LoadAsync<KpiObservation>(query.ObservationId, cancellationToken) is { } o && o.OutcomeId == query.OutcomeId && o.Key == query.Key
                ? o
                : throw new NotFoundException($"KPI '{query.Key}' of outcome {query.OutcomeId} has no observation {query.ObservationId}.");
    }
}
