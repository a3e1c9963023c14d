using System.ComponentModel;
using System.Security.Claims;
using JasperFx.Events.Projections;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OrchestraApi.Platform;

namespace OrchestraApi.Tasks;

public static class TasksEndpoints
{
    public static void AddTasks(this StoreOptions marten)
    {
        marten.Projections.Add(new FoldProjection<TriggerTask>(), ProjectionLifecycle.Inline);
        marten.Schema.For<TriggerTask>().Duplicate(t => t.OutcomeId);
    }

    public static void MapTasks(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/tasks").WithTags("Tasks").RequireAuthorization(Policies.ReadOrganisation).Problems(400, 401, 403, 429, 503);

        tasks.MapGet("/", List)
            .Describe(nameof(ListTasks), "List tasks", "Follow-up work triggers opened (a trigger with the `openTask` action, when it fires), oldest first: what to do, why (the firing's evidence) and for whom. Admins, CMOs and conductors see every task; orchestrators and agencies the tasks for their role and disciplines. Filter by `state`, `outcomeId`, `triggerId`, `role`, `discipline`; cursor-paginated.");
        tasks.MapGet("/{taskId:guid}", Get).Problems(404).Produces(StatusCodes.Status304NotModified)
            .Describe(nameof(GetTask), "Get a task", "A task; the ETag (and `version`) is what If-Match needs to close it.");
        tasks.MapPost("/{taskId:guid}/complete", Complete).Problems(404, 409, 412, 428)
            .Describe(nameof(CompleteTask), "Complete a task", "The task is done, with an optional `note` of what was done. Its assignee (role and discipline), a conductor or an admin; 409 when it is already closed. Accepts Idempotency-Key.");
        tasks.MapPost("/{taskId:guid}/dismiss", Dismiss).Problems(404, 409, 412, 428)
            .Describe(nameof(DismissTask), "Dismiss a task", "The task needs no action, with an optional `note` why. Its assignee, a conductor or an admin; 409 when it is already closed. Accepts Idempotency-Key.");
    }

    private static Task<Page<TaskDetails>> List([AsParameters] TaskFilter filter, [AsParameters] PageRequest page, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        mediator.Send(new ListTasks(filter, page, Caller.From(user)), ct);

    private static Task<Results<Ok<TaskDetails>, StatusCodeHttpResult>> Get([Description("The task's id.")] Guid taskId, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.ReadVersionedAsync(new GetTask(taskId, Caller.From(user)), http, ct);

    private static Task<Ok<TaskDetails>> Complete(
        [Description("The task's id.")] Guid taskId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, CloseTaskRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new CompleteTask(taskId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);

    private static Task<Ok<TaskDetails>> Dismiss(
        [Description("The task's id.")] Guid taskId, [FromHeader(Name = Versions.IfMatchHeader)] string? ifMatch, CloseTaskRequest request, ClaimsPrincipal user, IMediator mediator, HttpContext http, CancellationToken ct) =>
        mediator.SendVersionedAsync(new DismissTask(taskId, Versions.Expected(ifMatch), request, Caller.From(user)), http, ct);
}
