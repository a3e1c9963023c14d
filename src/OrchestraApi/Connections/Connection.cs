using JasperFx.Core;
using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

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

/// <summary>
/// A connection, folded from its events in its outcome's graph stream (<see cref="Start(object)"/>, <see cref="Evolve"/>)
/// and stored as a document of its own by an inline projection of that stream (<see cref="ConnectionProjection"/>), so
/// it commits with each event (decision 18). <c>Version</c> counts its own events — its ETag — and is kept by the fold
/// itself (the graph stream's version counts every connection's).
/// </summary>
public sealed record Connection(
    Guid Id,
    Guid OutcomeId,
    [property: JasperFxIgnore] long Version,
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
    : IFold<Connection>
{
    /// <summary>When it was last put to both sides (defined or revised): acknowledgements are awaited since then.</summary>
    public DateTimeOffset? ProposedAt { get; init; }

    /// <summary>Since when its acknowledgements are awaited (documents from before <see cref="ProposedAt"/> fall back to their last change).</summary>
    public DateTimeOffset AwaitedSince => ProposedAt ?? UpdatedAt;

    public bool IsFinal => State is ConnectionState.Met or ConnectionState.Broken or ConnectionState.Withdrawn;

    /// <summary>Dependencies that still bind the schedule: the edges of cycle checks, conflicts and the critical path.</summary>
    public bool Binds => Kind == ConnectionKind.Dependency && State is not (ConnectionState.Broken or ConnectionState.Withdrawn);

    public static Connection Start(object first) => first is ConnectionDefined e ? Start(e) : throw new UnknownEventException(typeof(Connection), first);

    public static Connection Start(ConnectionDefined e) => new(
        e.ConnectionId, e.OutcomeId, 1, e.Kind, e.Title, e.Rationale, e.From, e.To, e.LagDays, e.Artefact, e.DueOn, e.Message, e.Audience,
        ConnectionState.Proposed, null, [], e.By, e.At, e.At)
    {
        ProposedAt = e.At,
    };

    /// <summary>The connection after one more of its events, with its version moved on (see <see cref="IFold{TSelf}"/>).</summary>
    public Connection Evolve(object e) => e is IConnectionEvent c && c.ConnectionId == Id ? On(c) with { Version = Version + 1, UpdatedAt = c.At } : throw new UnknownEventException(typeof(Connection), e);

    private Connection On(IConnectionEvent e) => e switch
    {
        ConnectionRevised x => this with
        {
            Title = x.Title, Rationale = x.Rationale, LagDays = x.LagDays, Artefact = x.Artefact, DueOn = x.DueOn, Message = x.Message,
            Audience = x.Audience, State = ConnectionState.Proposed, StateReason = null, AcknowledgedBy = [], ProposedAt = x.At,
        },
        ConnectionAcknowledged x => Acknowledged(x.Discipline),
        ConnectionContested x => this with { State = ConnectionState.Contested, StateReason = x.Reason, AcknowledgedBy = [] },
        ConnectionWithdrawn x => this with { State = ConnectionState.Withdrawn, StateReason = x.Reason },
        ConnectionMet => this with { State = ConnectionState.Met, StateReason = null },
        ConnectionBroken x => this with { State = ConnectionState.Broken, StateReason = x.Reason },
        _ => throw new UnknownEventException(typeof(Connection), e),
    };

    private Connection Acknowledged(Discipline discipline)
    {
        IReadOnlyList<Discipline> acknowledged = [.. AcknowledgedBy, discipline];
        var both = acknowledged.Contains(From.Discipline) && acknowledged.Contains(To.Discipline);
        return this with { AcknowledgedBy = acknowledged, State = both ? ConnectionState.Agreed : State };
    }
}

/// <summary>
/// The stream of every connection event of one outcome (decision 18). Its snapshot holds nothing but the outcome:
/// the stream is what connection commands lock, so a definition is checked against the whole dependency graph
/// while no other connection of the outcome changes, and no two concurrent definitions can close a cycle together.
/// Plans and activities stay out of it: their edits never wait for connections, and connections never need a
/// plan's version.
/// </summary>
public sealed record ConnectionGraph(Guid Id, Guid OutcomeId)
    : IFold<ConnectionGraph>, IStreamVersioned
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

    public static ConnectionGraph Start(object first) => first is ConnectionGraphOpened e ? Start(e) : throw new UnknownEventException(typeof(ConnectionGraph), first);

    /// <summary>The graph's snapshot holds only the outcome; each connection's own fold is <see cref="Connection.Evolve"/>.</summary>
    public ConnectionGraph Evolve(object e) => e is ConnectionDefined or IConnectionEvent ? this : throw new UnknownEventException(typeof(ConnectionGraph), e);

    public static ConnectionGraph Start(ConnectionGraphOpened e) => new(IdOf(e.OutcomeId), e.OutcomeId);
}
