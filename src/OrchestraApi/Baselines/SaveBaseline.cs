using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Connections;
using OrchestraApi.Platform;
using OrchestraApi.Status;

namespace OrchestraApi.Baselines;

/// <param name="Name">Unique within the outcome (case ignored), e.g. "Approved plan, Q1".</param>
/// <param name="Note">Why it was taken.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SaveBaselineRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string Name,
    [property: StringLength(1000)] string? Note = null)
    : IHasExample<SaveBaselineRequest>
{
    public static SaveBaselineRequest Example => new("Board-approved plan", "All four plans approved at the March board.");
}

/// <summary>A saved baseline: the moment it fixes and the RAG then.</summary>
/// <param name="Note">A note, as given.</param>
/// <param name="TakenAt">When it was taken (UTC).</param>
/// <param name="TakenBy">Who took it: the name of the API key used.</param>
public sealed record BaselineDetails(Guid Id, Guid OutcomeId, [property: MaxLength(200)] string Name, [property: MaxLength(1000)] string? Note, DateTimeOffset TakenAt, Rag Rag, [property: MaxLength(200)] string TakenBy)
{
    public static BaselineDetails Of(Baseline b) => new(b.Id, b.OutcomeId, b.Name, b.Note, b.TakenAt, b.Rag, b.TakenBy);
}

public sealed record SaveBaseline(Guid OutcomeId, SaveBaselineRequest Request, string By, [property: JsonIgnore] string? IdempotencyKey)
    : IIdempotentCommand<BaselineDetails>
{
    public sealed class Handler(IDocumentSession session, ScheduleCache schedules, TimeProvider clock) : IRequestHandler<SaveBaseline, BaselineDetails>
    {
        public async Task<BaselineDetails> Handle(SaveBaseline command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var status = (await StatusInputs.NowAsync(session, schedules, command.OutcomeId, now, cancellationToken)).Report();
            var saved = new BaselineSaved(Guid.CreateVersion7(), command.OutcomeId, command.Request.Name.Trim(), command.Request.Note?.Trim(), now, status.Rag, command.By);
            session.Events.StartStream<Baseline>(saved.BaselineId, saved);
            return BaselineDetails.Of(Baseline.Start(saved));
        }
    }
}
