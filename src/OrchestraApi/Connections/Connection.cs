using OrchestraApi.Organisations;

namespace OrchestraApi.Connections;

/// <summary>What a connection binds the two sides to.</summary>
public enum ConnectionKind
{
    /// <summary>The `to` side cannot start before the `from` side ends (finish-to-start), plus `lagDays`.</summary>
    Dependency,

    /// <summary>The `from` side delivers a named artefact to the `to` side by `dueOn`.</summary>
    Handoff,

    /// <summary>Both sides carry one brand message (`message`).</summary>
    SharedMessage,

    /// <summary>Both sides target one audience (`audience`) and must not contradict each other.</summary>
    SharedAudience,
}

/// <summary>Where a connection stands. Met, Broken and Withdrawn are final.</summary>
public enum ConnectionState
{
    /// <summary>Defined or revised; waiting for both sides to acknowledge.</summary>
    Proposed,

    /// <summary>Both sides acknowledged.</summary>
    Agreed,

    /// <summary>A side contested it, with a reason: back with the conductor to revise or withdraw.</summary>
    Contested,

    /// <summary>Delivered or honoured.</summary>
    Met,

    /// <summary>Not kept, with a reason (also when an activity or plan it links is cancelled).</summary>
    Broken,

    /// <summary>The conductor took it back.</summary>
    Withdrawn,
}

/// <summary>One side of a connection: an activity, or a whole plan when <c>ActivityId</c> is null.</summary>
public sealed record ConnectionEnd(Guid PlanId, Guid? ActivityId, Discipline Discipline);

/// <summary>A connection as its graph keeps it: the definition, who acknowledged it, and its own version.</summary>
public sealed record Connection(
    Guid Id,
    long Version,
    ConnectionKind Kind,
    string Title,
    string Rationale,
    ConnectionEnd From,
    ConnectionEnd To,
    int LagDays,
    string? Artefact,
    DateOnly? DueOn,
    string? Message,
    string? Audience,
    ConnectionState State,
    string? StateReason,
    IReadOnlyList<Discipline> AcknowledgedBy,
    string DefinedBy,
    DateTimeOffset DefinedAt,
    DateTimeOffset UpdatedAt)
{
    public bool IsFinal => State is ConnectionState.Met or ConnectionState.Broken or ConnectionState.Withdrawn;

    /// <summary>Dependencies that still bind the schedule: the edges of cycle checks, conflicts and the critical path.</summary>
    public bool Binds => Kind == ConnectionKind.Dependency && State is not (ConnectionState.Broken or ConnectionState.Withdrawn);
}

/// <summary>
/// Every connection of one outcome, in one stream (decision 18): a definition is checked against the whole
/// dependency graph under a lock of that stream, so no two concurrent definitions can close a cycle together.
/// Plans and activities stay out of it: their edits never wait for connections, and connections never need a
/// plan's version.
/// </summary>
public sealed record ConnectionGraph(Guid Id, Guid OutcomeId, IReadOnlyList<Connection> Connections)
{
    /// <summary>The stream version, set by Marten.</summary>
    public long Version { get; set; }

    /// <summary>The graph's stream id: derived from the outcome's, so it needs no lookup.</summary>
    public static Guid IdOf(Guid outcomeId)
    {
        var bytes = outcomeId.ToByteArray(bigEndian: true);
        bytes[0] ^= 0xC0;
        bytes[15] ^= 0x5E;
        return new Guid(bytes, bigEndian: true);
    }

    public Connection? Find(Guid connectionId) => Connections.FirstOrDefault(c => c.Id == connectionId);

    public static ConnectionGraph Create(ConnectionGraphOpened e) => new(IdOf(e.OutcomeId), e.OutcomeId, []);

    public ConnectionGraph Next(object e) => e switch
    {
        ConnectionDefined x => Apply(x),
        ConnectionRevised x => Apply(x),
        ConnectionAcknowledged x => Apply(x),
        ConnectionContested x => Apply(x),
        ConnectionWithdrawn x => Apply(x),
        ConnectionMet x => Apply(x),
        ConnectionBroken x => Apply(x),
        _ => this,
    };

    public ConnectionGraph Apply(ConnectionDefined e) => this with
    {
        Connections =
        [
            .. Connections,
            new Connection(
                e.ConnectionId, 1, e.Kind, e.Title, e.Rationale, e.From, e.To, e.LagDays, e.Artefact, e.DueOn, e.Message, e.Audience,
                ConnectionState.Proposed, null, [], e.By, e.At, e.At),
        ],
    };

    public ConnectionGraph Apply(ConnectionRevised e) => Change(e.ConnectionId, c => c with
    {
        Title = e.Title, Rationale = e.Rationale, LagDays = e.LagDays, Artefact = e.Artefact, DueOn = e.DueOn, Message = e.Message,
        Audience = e.Audience, State = ConnectionState.Proposed, StateReason = null, AcknowledgedBy = [], UpdatedAt = e.At,
    });

    public ConnectionGraph Apply(ConnectionAcknowledged e) => Change(e.ConnectionId, c =>
    {
        IReadOnlyList<Discipline> acknowledged = [.. c.AcknowledgedBy, e.Discipline];
        var both = acknowledged.Contains(c.From.Discipline) && acknowledged.Contains(c.To.Discipline);
        return c with { AcknowledgedBy = acknowledged, State = both ? ConnectionState.Agreed : c.State, UpdatedAt = e.At };
    });

    public ConnectionGraph Apply(ConnectionContested e) => Change(e.ConnectionId, c => c with { State = ConnectionState.Contested, StateReason = e.Reason, AcknowledgedBy = [], UpdatedAt = e.At });

    public ConnectionGraph Apply(ConnectionWithdrawn e) => Change(e.ConnectionId, c => c with { State = ConnectionState.Withdrawn, StateReason = e.Reason, UpdatedAt = e.At });

    public ConnectionGraph Apply(ConnectionMet e) => Change(e.ConnectionId, c => c with { State = ConnectionState.Met, StateReason = null, UpdatedAt = e.At });

    public ConnectionGraph Apply(ConnectionBroken e) => Change(e.ConnectionId, c => c with { State = ConnectionState.Broken, StateReason = e.Reason, UpdatedAt = e.At });

    private ConnectionGraph Change(Guid connectionId, Func<Connection, Connection> change) =>
        this with { Connections = [.. Connections.Select(c => c.Id == connectionId ? change(c) with { Version = c.Version + 1 } : c)] };
}
