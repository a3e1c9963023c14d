using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Tasks;

public sealed record DismissTask(Guid TaskId, long ExpectedVersion, CloseTaskRequest Request, Caller Caller) : ICommand<TaskDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<DismissTask, TaskDetails>
    {
        public async Task<TaskDetails> Handle(DismissTask command, CancellationToken cancellationToken)
        {
            var (task, version) = await session.DecideAsync<TriggerTask>(
                command.TaskId, command.ExpectedVersion,
                t => [new TaskDismissed(t.Id, t.OutcomeId, TaskRules.Closing(t, command.Caller, command.Request.Note), command.Caller.Name, clock.GetUtcNow())],
                (t, e) => t.Evolve(e), cancellationToken);
            return TaskDetails.Of(task, version);
        }
    }
}
