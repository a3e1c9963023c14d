using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Tasks;

/// <summary>How a task was closed.</summary>
/// <param name="Note">What was done, or why nothing needs doing (up to 2,000 characters).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CloseTaskRequest([property: StringLength(TaskRules.MaxNote)] string? Note = null) : IHasExample<CloseTaskRequest>
{
    public static CloseTaskRequest Example => new("Moved budget from display to search; pipeline back on pace next week.");
}

public sealed record CompleteTask(Guid TaskId, long ExpectedVersion, CloseTaskRequest Request, Caller Caller) : ICommand<TaskDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<CompleteTask, TaskDetails>
    {
        public async Task<TaskDetails> Handle(CompleteTask command, CancellationToken cancellationToken)
        {
            var (task, version) = await session.DecideAsync<TriggerTask>(
                command.TaskId, command.ExpectedVersion,
                t => [new TaskCompleted(t.Id, t.OutcomeId, TaskRules.Closing(t, command.Caller, command.Request.Note), command.Caller.Name, clock.GetUtcNow())],
                (t, e) => t.Evolve(e), cancellationToken);
            return TaskDetails.Of(task, version);
        }
    }
}
