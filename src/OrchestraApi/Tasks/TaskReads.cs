using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Tasks;

public sealed record GetTask(Guid TaskId, Caller Caller) : IRequest<TaskDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetTask, TaskDetails>
    {
        public async Task<TaskDetails> Handle(GetTask query, CancellationToken cancellationToken) =>
            await session.LoadAsync<TriggerTask>(query.TaskId, cancellationToken) is { } task && task.Assignee.Includes(query.Caller)
                ? TaskDetails.Of(task, task.Version)
                : throw new NotFoundException($"Task {query.TaskId} was not found.");
    }
}

/// <summary>Tasks: filters.</summary>
public sealed record TaskFilter
{
    [FromQuery(Name = "state")]
    [System.ComponentModel.Description("Only Open, Done or Dismissed tasks.")]
    public TaskState? State { get; init; }

    [FromQuery(Name = "outcomeId")]
    [System.ComponentModel.Description("Only tasks of this outcome.")]
    public Guid? OutcomeId { get; init; }

    [FromQuery(Name = "triggerId")]
    [System.ComponentModel.Description("Only tasks this trigger opened.")]
    public Guid? TriggerId { get; init; }

    [FromQuery(Name = "role")]
    [System.ComponentModel.Description("Only tasks for this role.")]
    public Role? Role { get; init; }

    [FromQuery(Name = "discipline")]
    [System.ComponentModel.Description("Only tasks for this discipline.")]
    public Discipline? Discipline { get; init; }
}

public sealed record ListTasks(TaskFilter Filter, PageRequest Page, Caller Caller) : IRequest<Page<TaskDetails>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListTasks, Page<TaskDetails>>
    {
        public async Task<Page<TaskDetails>> Handle(ListTasks query, CancellationToken cancellationToken)
        {
            var page = query.Page.ById();
            var f = query.Filter;
            var tasks = session.Query<TriggerTask>().AsQueryable();
            if (f.State is { } state)
            {
                tasks = tasks.Where(t => t.State == state);
            }

            if (f.OutcomeId is { } outcomeId)
            {
                tasks = tasks.Where(t => t.OutcomeId == outcomeId);
            }

            if (f.TriggerId is { } triggerId)
            {
                tasks = tasks.Where(t => t.TriggerId == triggerId);
            }

            if (f.Role is { } role)
            {
                tasks = tasks.Where(t => t.Assignee.Role == role);
            }

            if (f.Discipline is { } discipline)
            {
                tasks = tasks.Where(t => t.Assignee.Discipline == discipline);
            }

            var caller = query.Caller;
            if (caller.Role is Role.Orchestrator or Role.Agency)
            {
                // Their own: tasks for their role and one of their disciplines.
                var mine = caller.Disciplines.ToArray();
                tasks = tasks.Where(t => t.Assignee.Role == caller.Role && t.Assignee.Discipline.HasValue && mine.Contains(t.Assignee.Discipline.Value));
            }

            return await page.ReadAsync(tasks, t => t.Id, t => TaskDetails.Of(t, t.Version), cancellationToken);
        }
    }
}
