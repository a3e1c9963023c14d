using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using OrchestraApi.Kernel;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Triggers;

/// <summary>When a trigger may fire again for the same subject.</summary>
public enum RearmPolicy
{
    /// <summary>Once, until the condition clears for that subject; then it may fire again.</summary>
    UntilCleared,

    /// <summary>While the condition holds, at most once every `hours` hours for that subject (a reminder).</summary>
    AtMostEvery,
}

/// <summary>Which outcomes, disciplines and channels a trigger watches; every list omitted or empty means all.</summary>
/// <param name="OutcomeIds">Only these outcomes (a conductor's trigger names its outcomes; an admin's may watch the whole organisation).</param>
/// <param name="Disciplines">Only subjects of these disciplines (activities, plans, connections with a side in one of them).</param>
/// <param name="Channels">Only activities in these channels.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TriggerScope(
    [property: MaxLength(TriggerRules.MaxScope)] IReadOnlyList<Guid>? OutcomeIds = null,
    [property: MaxLength(4)] IReadOnlyList<Discipline>? Disciplines = null,
    [property: MaxLength(TriggerRules.MaxScope)] IReadOnlyList<Channel>? Channels = null)
{
    public static readonly TriggerScope All = new([], [], []);

    /// <summary>The scope with its lists in order, without duplicates.</summary>
    public TriggerScope Normalised() => new(
        [.. (OutcomeIds ?? []).Distinct().Order()], [.. (Disciplines ?? []).Distinct().Order()], [.. (Channels ?? []).Distinct().Order()]);

    /// <summary>A scope naming no outcome watches every outcome of the organisation.</summary>
    public bool CoversEveryOutcome() => OutcomeIds is not { Count: > 0 };

    public bool Covers(Guid outcomeId) => CoversEveryOutcome() || OutcomeIds!.Contains(outcomeId);

    public bool CoversAny(IEnumerable<Discipline> disciplines) => Disciplines is not { Count: > 0 } mine || disciplines.Any(mine.Contains);

    public bool CoversChannel(Channel channel) => Channels is not { Count: > 0 } mine || mine.Contains(channel);
}

/// <summary>When a trigger may fire again for a subject it fired for.</summary>
/// <param name="Policy">UntilCleared (default) or AtMostEvery.</param>
/// <param name="Hours">AtMostEvery: the hours between two firings for one subject (1–8,760); not given otherwise.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TriggerRearm(RearmPolicy? Policy = null, [property: Range(1, TriggerRules.MaxRearmHours)] int? Hours = null)
{
    public static readonly TriggerRearm Default = new(RearmPolicy.UntilCleared);

    /// <summary>The policy with its default, its hours checked.</summary>
    public TriggerRearm Checked() => (Policy ?? RearmPolicy.UntilCleared, Hours) switch
    {
        (RearmPolicy.AtMostEvery, null) => throw new InvalidInputException("rearm.hours", "is required for AtMostEvery."),
        (RearmPolicy.UntilCleared, not null) => throw new InvalidInputException("rearm.hours", "is only for AtMostEvery."),
        var (policy, hours) => new(policy, hours),
    };
}

/// <summary>
/// What a trigger does when it fires, besides notifying: every firing is an `orchestra.trigger.fired.v1` event on the
/// feed (and so to the webhooks that want it), with its evidence.
/// </summary>
/// <param name="OpenTask">Open a task for a role or discipline at each firing, titled as given (default: the trigger's name), with the firing's evidence; omitted: none.</param>
/// <param name="Flag">Flag the outcome's status at each firing: a reason `trigger-flag` naming the trigger, at the level given, until the condition clears or someone dismisses the flag; omitted: none.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TriggerActions(TaskAction? OpenTask = null, FlagAction? Flag = null)
{
    public static readonly TriggerActions NotifyOnly = new();

    /// <summary>The actions with their assignee and flag level checked.</summary>
    public TriggerActions Checked() => new(
        OpenTask is { } task
            ? task with { Assignee = Tasks.TaskRules.Checked(task.Assignee ?? throw new InvalidInputException("actions.openTask.assignee", "is required."), "actions.openTask.assignee"), Title = task.Title is null ? null : TriggerRules.Text(task.Title, "actions.openTask.title") }
            : null,
        Flag is { } flag ? new FlagAction(flag.Level ?? throw new InvalidInputException("actions.flag.level", "is required: Amber or Red.")) : null);
}

/// <summary>The flag a firing raises on its outcome's status.</summary>
/// <param name="Level">Amber or Red: the RAG the reason carries.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FlagAction([property: Required] RagLevel? Level);

/// <summary>A task a firing opens.</summary>
/// <param name="Title">What to do (up to 200 characters); omitted: the trigger's name.</param>
/// <param name="Assignee">Who acts: a role, and for orchestrators and agencies a discipline.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TaskAction([property: Required] Tasks.TaskAssignee? Assignee, [property: StringLength(Tasks.TaskRules.MaxTitle, MinimumLength = 1)] string? Title = null);

/// <summary>A trigger was defined.</summary>
public sealed record TriggerDefined(
    Guid TriggerId, string Name, string? Description, TriggerCondition Condition, TriggerScope Scope, TriggerRearm Rearm, bool Enabled, string By, DateTimeOffset At, TriggerActions? Actions = null)
    : IEventOf<Trigger>;

/// <summary>A trigger's definition changed (the whole new definition): firings from now on carry its new version.</summary>
public sealed record TriggerRevised(
    Guid TriggerId, string Name, string? Description, TriggerCondition Condition, TriggerScope Scope, TriggerRearm Rearm, bool Enabled, string By, DateTimeOffset At, TriggerActions? Actions = null)
    : IEventOf<Trigger>;

/// <summary>
/// An opportunity trigger (issue 22): a condition from a closed grammar over an organisation's outcomes, evaluated by
/// the API on every change and as time passes; when it holds for a subject, the trigger fires (<see cref="TriggerFiring"/>).
/// </summary>
public sealed record Trigger(
    Guid Id, string Name, string? Description, TriggerCondition Condition, TriggerScope Scope, TriggerRearm Rearm, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    : IFold<Trigger>, IStreamVersioned
{
    /// <summary>The stream version, set by Marten: the trigger's ETag and the version its firings name.</summary>
    public long Version { get; set; }

    /// <summary>What it does when it fires besides notifying.</summary>
    public TriggerActions Actions { get; init; } = TriggerActions.NotifyOnly;

    public static Trigger Start(object first) => first is TriggerDefined e
        ? new(e.TriggerId, e.Name, e.Description, e.Condition, e.Scope, e.Rearm, e.Enabled, e.At, e.At) { Actions = e.Actions ?? TriggerActions.NotifyOnly }
        : throw new UnknownEventException(typeof(Trigger), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public Trigger Evolve(object e) => e is TriggerRevised x
        ? this with { Name = x.Name, Description = x.Description, Condition = x.Condition, Scope = x.Scope, Rearm = x.Rearm, Enabled = x.Enabled, UpdatedAt = x.At, Actions = x.Actions ?? TriggerActions.NotifyOnly }
        : throw new UnknownEventException(typeof(Trigger), e);
}

/// <summary>A trigger; <c>version</c> is its ETag, and the version each of its firings names.</summary>
/// <param name="Name">What it is called.</param>
/// <param name="Description">What it is for.</param>
/// <param name="Condition">What it watches for.</param>
/// <param name="Scope">The outcomes, disciplines and channels it watches (empty lists: all).</param>
/// <param name="Rearm">When it may fire again for a subject.</param>
/// <param name="Enabled">Whether it is evaluated.</param>
/// <param name="Actions">What it does when it fires besides notifying (every firing is on the feed).</param>
public sealed record TriggerDetails(
    Guid Id, long Version, [property: MaxLength(TriggerRules.MaxName)] string Name, [property: MaxLength(TriggerRules.MaxDescription)] string? Description,
    TriggerCondition Condition, TriggerScope Scope, TriggerRearm Rearm, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, TriggerActions Actions)
    : IVersioned
{
    public static TriggerDetails Of(Trigger t, long version) => new(t.Id, version, t.Name, t.Description, t.Condition, t.Scope, t.Rearm, t.Enabled, t.CreatedAt, t.UpdatedAt, t.Actions);
}
