using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Connections;

/// <summary>The connection rules as decisions: (schedule, command, who, now) → an event, or a 400/403/404/409.</summary>
public static class ConnectionRules
{
    public const int MinLagDays = -90;
    public const int MaxLagDays = 365;

    /// <summary>Connections an outcome may hold over its life, withdrawn ones included.</summary>
    public const int MaxConnections = 10_000;

    public static ConnectionDefined Define(Schedule schedule, Outcome outcome, Guid id, DefineConnectionRequest request, string by, DateTimeOffset now)
    {
        if (outcome.Status != OutcomeStatus.Active)
        {
            throw Violation("outcome-must-be-active", $"Connections are defined under active outcomes; this outcome is {outcome.Status}.");
        }

        if (schedule.Connections.Count >= MaxConnections)
        {
            throw Violation("connections-per-outcome-limit", $"An outcome holds at most {MaxConnections} connections.");
        }

        var from = Resolve(schedule, request.From, "from");
        var to = Resolve(schedule, request.To, "to");
        if (from.Discipline == to.Discipline)
        {
            throw new InvalidInputException("to.planId", $"must be a plan of another discipline than `from` ({from.Discipline}): connections link disciplines.");
        }

        var fields = Fields(request.Kind, request.LagDays, request.Artefact, request.DueOn, request.Message, request.Audience, outcome);
        if (request.Kind == ConnectionKind.Dependency && schedule.CycleWith(from, to) is { } cycle)
        {
            throw Violation("dependencies-without-cycles", $"This dependency would close a cycle: {string.Join(" → ", cycle.Select(n => Name(schedule, n)))}.");
        }

        return new ConnectionDefined(
            id, outcome.Id, request.Kind, request.Title.Trim(), request.Rationale?.Trim() ?? "", from, to, fields.LagDays, fields.Artefact, fields.DueOn, fields.Message, fields.Audience, by, now);
    }

    public static ConnectionRevised Revise(Schedule schedule, Outcome outcome, Connection c, ReviseConnectionRequest request, string by, DateTimeOffset now)
    {
        EnsureLive(schedule, c);
        var fields = Fields(
            c.Kind, request.LagDays ?? c.LagDays, request.Artefact ?? c.Artefact, request.DueOn ?? c.DueOn, request.Message ?? c.Message, request.Audience ?? c.Audience, outcome);
        return new ConnectionRevised(
            c.Id, c.OutcomeId, request.Title?.Trim() ?? c.Title, request.Rationale?.Trim() ?? c.Rationale, fields.LagDays, fields.Artefact, fields.DueOn, fields.Message, fields.Audience, by, now);
    }

    public static ConnectionAcknowledged Acknowledge(Schedule schedule, Connection c, Caller caller, Discipline? side, DateTimeOffset now)
    {
        var discipline = Side(c, caller, side);
        EnsureLive(schedule, c);
        if (c.State == ConnectionState.Contested)
        {
            throw Violation("contested-connection-needs-revision", "The connection is contested: the conductor revises or withdraws it first.");
        }

        if (c.AcknowledgedBy.Contains(discipline))
        {
            throw Violation("acknowledged-once", $"{discipline} has already acknowledged this connection.");
        }

        return new ConnectionAcknowledged(c.Id, c.OutcomeId, discipline, caller.Name, now);
    }

    public static ConnectionContested Contest(Schedule schedule, Connection c, Caller caller, Discipline? side, string reason, DateTimeOffset now)
    {
        var discipline = Side(c, caller, side);
        EnsureLive(schedule, c);
        if (c.State == ConnectionState.Contested)
        {
            throw Violation("contested-connection-needs-revision", "The connection is already contested: the conductor revises or withdraws it.");
        }

        return new ConnectionContested(c.Id, c.OutcomeId, discipline, reason.Trim(), caller.Name, now);
    }

    public static ConnectionWithdrawn Withdraw(Schedule schedule, Connection c, string reason, string by, DateTimeOffset now)
    {
        EnsureNotFinal(c);
        return new ConnectionWithdrawn(c.Id, c.OutcomeId, reason.Trim(), by, now);
    }

    public static ConnectionMet Met(Schedule schedule, Connection c, Caller caller, DateTimeOffset now)
    {
        EnsureDeliveringSideOrConductor(c, caller);
        EnsureLive(schedule, c);
        if (c.State != ConnectionState.Agreed)
        {
            throw Violation("only-agreed-connections-are-met", $"Only an agreed connection can be met; this one is {c.State}.");
        }

        return new ConnectionMet(c.Id, c.OutcomeId, caller.Name, now);
    }

    public static ConnectionBroken Broken(Schedule schedule, Connection c, Caller caller, string reason, DateTimeOffset now)
    {
        EnsureDeliveringSideOrConductor(c, caller);
        EnsureLive(schedule, c);
        return new ConnectionBroken(c.Id, c.OutcomeId, reason.Trim(), caller.Name, now);
    }

    private static ConnectionEnd Resolve(Schedule schedule, ConnectionSide side, string field)
    {
        var plan = schedule.Plan(side.PlanId) ?? throw new NotFoundException($"Plan {side.PlanId} was not found in this outcome.");
        if (plan.Status == PlanStatus.Cancelled)
        {
            throw Violation("connection-to-cancelled-work", $"Plan '{plan.Title}' is cancelled.");
        }

        if (side.ActivityId is not { } activityId)
        {
            return new ConnectionEnd(plan.Id, null, plan.Discipline);
        }

        var activity = schedule.Activity(activityId);
        if (activity is null || activity.PlanId != plan.Id)
        {
            throw new InvalidInputException($"{field}.activityId", "must be an activity of the plan in `planId`.");
        }

        return activity.Status == ActivityStatus.Cancelled
            ? throw Violation("connection-to-cancelled-work", $"Activity '{activity.Spec.Name}' is cancelled.")
            : new ConnectionEnd(plan.Id, activity.Id, plan.Discipline);
    }

    private static (int LagDays, string? Artefact, DateOnly? DueOn, string? Message, string? Audience) Fields(
        ConnectionKind kind, int? lagDays, string? artefact, DateOnly? dueOn, string? message, string? audience, Outcome outcome)
    {
        var errors = new Dictionary<string, string[]>();
        void Needs(string field, bool given)
        {
            if (!given)
            {
                errors[field] = [$"is required for {Wording.A(kind.ToString())}."];
            }
        }

        void NotFor(string field, bool given)
        {
            if (given)
            {
                errors[field] = [$"is not used by {Wording.A(kind.ToString())}; leave it out."];
            }
        }

        NotFor("lagDays", kind != ConnectionKind.Dependency && lagDays is not (null or 0));
        (kind == ConnectionKind.Handoff ? (Action<string, bool>)Needs : NotFor)("artefact", kind == ConnectionKind.Handoff ? !string.IsNullOrWhiteSpace(artefact) : artefact is not null);
        (kind == ConnectionKind.Handoff ? (Action<string, bool>)Needs : NotFor)("dueOn", dueOn is not null);
        (kind == ConnectionKind.SharedMessage ? (Action<string, bool>)Needs : NotFor)("message", kind == ConnectionKind.SharedMessage ? !string.IsNullOrWhiteSpace(message) : message is not null);
        (kind == ConnectionKind.SharedAudience ? (Action<string, bool>)Needs : NotFor)("audience", kind == ConnectionKind.SharedAudience ? !string.IsNullOrWhiteSpace(audience) : audience is not null);
        if (dueOn is { } due && (due < outcome.StartsOn || due > outcome.EndsOn))
        {
            errors["dueOn"] = [$"must fall inside the outcome's window, {outcome.StartsOn:yyyy-MM-dd} to {outcome.EndsOn:yyyy-MM-dd}."];
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        return (kind == ConnectionKind.Dependency ? lagDays ?? 0 : 0, artefact?.Trim(), dueOn, message?.Trim(), audience?.Trim());
    }

    /// <summary>The side the caller acts for: its discipline must be one of the two (an admin names it when it matters).</summary>
    private static Discipline Side(Connection c, Caller caller, Discipline? named)
    {
        Discipline[] mine = [.. new[] { c.From.Discipline, c.To.Discipline }.Where(d => PlanAccess.MayActFor(caller, d))];
        if (mine.Length == 0)
        {
            throw new ForbiddenException($"Only the {c.From.Discipline} and {c.To.Discipline} sides (their orchestrators or agencies) acknowledge or contest this connection.");
        }

        if (named is { } discipline)
        {
            return mine.Contains(discipline)
                ? discipline
                : throw new InvalidInputException("discipline", $"must be a side of this connection you act for: {string.Join(" or ", mine)}.");
        }

        return mine.Length == 1 ? mine[0] : throw new InvalidInputException("discipline", $"name the side you act for: {string.Join(" or ", mine)}.");
    }

    private static void EnsureDeliveringSideOrConductor(Connection c, Caller caller)
    {
        if (!PlanAccess.MayActFor(caller, c.From.Discipline) && caller.Role != Role.Conductor)
        {
            throw new ForbiddenException($"Only the delivering side ({c.From.Discipline}) or the conductor marks this connection met or broken.");
        }
    }

    private static void EnsureNotFinal(Connection c)
    {
        if (c.IsFinal)
        {
            throw Violation("final-connection-is-final", $"The connection is {c.State}; it changes no more.");
        }
    }

    private static void EnsureLive(Schedule schedule, Connection c)
    {
        EnsureNotFinal(c);
        if (schedule.EffectiveState(c) is { State: ConnectionState.Broken, Reason: var reason })
        {
            throw Violation("connection-to-cancelled-work", $"The connection is broken: {reason}");
        }
    }

    /// <summary>Refuses a change whose schedule (the work as it would be after it) holds a dependency cycle, naming it.</summary>
    public static void EnsureNoCycle(Schedule after, string change)
    {
        if (after.Cycle() is { } cycle)
        {
            throw Violation("dependencies-without-cycles", $"{change} would close a dependency cycle: {string.Join(" → ", cycle.Select(n => Name(after, n)))}.");
        }
    }

    private static string Name(Schedule schedule, string node)
    {
        var id = Guid.Parse(node[(node.LastIndexOf(' ') + 1)..]);
        return node.StartsWith("activity", StringComparison.Ordinal)
            ? $"'{schedule.Activity(id)?.Spec.Name}' ({schedule.Activity(id)?.Discipline}, {id})"
            : $"{node[..node.IndexOf(" plan", StringComparison.Ordinal)]} of plan '{schedule.Plan(id)?.Title}' ({id})";
    }

    private static RuleViolationException Violation(string rule, string message) => new(rule, message);
}
