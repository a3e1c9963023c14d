using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;
using OrchestraApi.Status;

namespace OrchestraApi.Tasks;

/// <summary>Where a task stands.</summary>
public enum TaskState
{
    /// <summary>Waiting for its assignee.</summary>
    Open,

    /// <summary>Its assignee did it.</summary>
    Done,

    /// <summary>Someone decided it needs no action.</summary>
    Dismissed,
}

/// <summary>Who a task is for: a role, and for orchestrators and agencies the discipline.</summary>
/// <param name="Role">The role that acts: Conductor, Cmo, Admin, Orchestrator or Agency.</param>
/// <param name="Discipline">The discipline (required for Orchestrator and Agency; optional otherwise).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TaskAssignee([property: Required] Role? Role, Discipline? Discipline = null)
{
    /// <summary>Whether a caller may see and act on tasks for this assignee: admins, CMOs and conductors always; others their role and discipline.</summary>
    public bool Includes(Caller caller) => caller.Role is Kernel.Role.Admin or Kernel.Role.Cmo or Kernel.Role.Conductor
        || (caller.Role == Role && Discipline is { } d && caller.Disciplines.Contains(d));
}

/// <summary>A trigger's firing opened a task.</summary>
public sealed record TaskOpened(Guid TaskId, Guid OutcomeId, Guid TriggerId, Guid FiringId, string Title, string Evidence, TaskAssignee Assignee, string By, DateTimeOffset At)
    : IEventOf<TriggerTask>, IOutcomeEvent;

/// <summary>A task was done.</summary>
public sealed record TaskCompleted(Guid TaskId, Guid OutcomeId, string? Note, string By, DateTimeOffset At) : IEventOf<TriggerTask>, IOutcomeEvent;

/// <summary>A task was dismissed: no action needed.</summary>
public sealed record TaskDismissed(Guid TaskId, Guid OutcomeId, string? Note, string By, DateTimeOffset At) : IEventOf<TriggerTask>, IOutcomeEvent;

/// <summary>A small piece of follow-up work a trigger opened for a role or discipline: open, then done or dismissed.</summary>
public sealed record TriggerTask(
    Guid Id, Guid OutcomeId, Guid TriggerId, Guid FiringId, string Title, string Evidence, TaskAssignee Assignee, TaskState State, string? Note, string? ClosedBy,
    DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt)
    : IFold<TriggerTask>, IStreamVersioned
{
    /// <summary>The stream version, set by Marten: the task's ETag.</summary>
    public long Version { get; set; }

    public static TriggerTask Start(object first) => first is TaskOpened e
        ? new(e.TaskId, e.OutcomeId, e.TriggerId, e.FiringId, e.Title, e.Evidence, e.Assignee, TaskState.Open, null, null, e.At, null)
        : throw new UnknownEventException(typeof(TriggerTask), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public TriggerTask Evolve(object e) => e switch
    {
        TaskCompleted x => this with { State = TaskState.Done, Note = x.Note, ClosedBy = x.By, ClosedAt = x.At },
        TaskDismissed x => this with { State = TaskState.Dismissed, Note = x.Note, ClosedBy = x.By, ClosedAt = x.At },
        _ => throw new UnknownEventException(typeof(TriggerTask), e),
    };

    /// <summary>The task a firing opens: its id is made from the firing's, so a firing opens one task however often it is decided.</summary>
    public static Guid IdOf(Guid firingId) => NamedIds.Of($"trigger-task:{firingId:N}");
}

/// <summary>A task; <c>version</c> is its ETag.</summary>
/// <param name="TriggerId">The trigger whose firing opened it.</param>
/// <param name="FiringId">The firing that opened it (its evidence: `GET /triggers/{triggerId}/firings/{firingId}`).</param>
/// <param name="Title">What to do.</param>
/// <param name="Evidence">Why: the firing's evidence in words.</param>
/// <param name="Assignee">Who acts.</param>
/// <param name="State">Open, Done or Dismissed.</param>
/// <param name="Note">What the one who closed it wrote; null while open or without a note.</param>
/// <param name="ClosedBy">Who closed it; null while open.</param>
/// <param name="OpenedAt">When it was opened (UTC).</param>
/// <param name="ClosedAt">When it was done or dismissed; null while open.</param>
public sealed record TaskDetails(
    Guid Id, long Version, Guid OutcomeId, Guid TriggerId, Guid FiringId, [property: MaxLength(TaskRules.MaxTitle)] string Title, [property: MaxLength(1000)] string Evidence,
    TaskAssignee Assignee, TaskState State, [property: MaxLength(TaskRules.MaxNote)] string? Note, [property: MaxLength(200)] string? ClosedBy, DateTimeOffset OpenedAt, DateTimeOffset? ClosedAt)
    : IVersioned
{
    public static TaskDetails Of(TriggerTask t, long version) => new(
        t.Id, version, t.OutcomeId, t.TriggerId, t.FiringId, t.Title, t.Evidence, t.Assignee, t.State, t.Note, t.ClosedBy, t.OpenedAt, t.ClosedAt);
}

public static class TaskRules
{
    public const int MaxTitle = 200;
    public const int MaxNote = 2000;

    /// <summary>An assignee that names who acts: orchestrators and agencies act for one discipline.</summary>
    public static TaskAssignee Checked(TaskAssignee a, string field)
    {
        var role = a.Role ?? throw new InvalidInputException($"{field}.role", "is required.");
        if (role is Kernel.Role.Orchestrator or Kernel.Role.Agency && a.Discipline is null)
        {
            throw new InvalidInputException($"{field}.discipline", $"is required for {role}: a task for an orchestrator or agency names its discipline.");
        }

        return a;
    }

    /// <summary>
    /// The note of closing an open task the caller may act on (its assignee, or an admin or conductor); a task another
    /// discipline's key cannot see is not found, a closed one is a 409.
    /// </summary>
    public static string? Closing(TriggerTask t, Caller caller, string? note)
    {
        if (!t.Assignee.Includes(caller))
        {
            throw new NotFoundException($"Task {t.Id} was not found.");
        }

        if (caller.Role == Kernel.Role.Cmo)
        {
            throw new ForbiddenException("A CMO reads tasks; their assignee, a conductor or an admin closes them.");
        }

        if (t.State != TaskState.Open)
        {
            throw new RuleViolationException("task-closed", $"The task is already {t.State}.");
        }

        var trimmed = note?.Trim();
        if (trimmed is not null && trimmed.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new InvalidInputException("note", "must be text: no control characters but line breaks and tabs.");
        }

        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }
}
