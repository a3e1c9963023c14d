using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>The organisation's status policy was set: the whole policy, as it holds from now on.</summary>
public sealed record StatusPolicyRevised(Guid PolicyId, decimal BehindPoints, decimal FarBehindPoints, int AcknowledgementDays, string By, DateTimeOffset At) : IEventOf<StatusPolicy>;

/// <summary>
/// The thresholds of an organisation's status rules (issue 22): how far behind pace a KPI makes the outcome amber and
/// red, and how long a connection may wait for acknowledgement. One stream per organisation; an organisation that
/// never set it has the defaults, as version 1.
/// </summary>
public sealed record StatusPolicy(Guid Id, decimal BehindPoints, decimal FarBehindPoints, int AcknowledgementDays, string By, DateTimeOffset? UpdatedAt)
    : IFold<StatusPolicy>, IStreamVersioned
{
    public const decimal DefaultBehindPoints = 5m;
    public const decimal DefaultFarBehindPoints = 15m;
    public const int DefaultAcknowledgementDays = 3;
    public const int MaxAcknowledgementDays = 365;

    /// <summary>What a policy nobody set holds: the rules as they always were.</summary>
    public static readonly StatusPolicy Default = new(Guid.Empty, DefaultBehindPoints, DefaultFarBehindPoints, DefaultAcknowledgementDays, "OrchestraApi", null) { Version = 1 };

    /// <summary>The stream version, set by Marten (1 for the defaults nobody set).</summary>
    public long Version { get; set; }

    /// <summary>The share of the window a KPI may lag (or lead) and still be on pace.</summary>
    [JsonIgnore]
    public decimal PaceTolerance => BehindPoints / 100m;

    /// <summary>The share of the window a KPI must lag by to make the outcome red.</summary>
    [JsonIgnore]
    public decimal FarBehind => FarBehindPoints / 100m;

    /// <summary>The organisation's stream (one per organisation; ids are per organisation, so its name is in it).</summary>
    public static Guid IdOf(string tenant) => NamedIds.Of($"status-policy:{tenant}");

    public static StatusPolicy Start(object first) => first is StatusPolicyRevised e
        ? new(e.PolicyId, e.BehindPoints, e.FarBehindPoints, e.AcknowledgementDays, e.By, e.At)
        : throw new UnknownEventException(typeof(StatusPolicy), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public StatusPolicy Evolve(object e) => e is StatusPolicyRevised x
        ? this with { BehindPoints = x.BehindPoints, FarBehindPoints = x.FarBehindPoints, AcknowledgementDays = x.AcknowledgementDays, By = x.By, UpdatedAt = x.At }
        : throw new UnknownEventException(typeof(StatusPolicy), e);

    /// <summary>The organisation's policy now: its document, or the defaults.</summary>
    public static async Task<StatusPolicy> OfAsync(IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<StatusPolicy>(IdOf(session.TenantId), ct) ?? Default;
}

/// <summary>The thresholds of the organisation's status rules; <c>version</c> is its ETag (1: the defaults, never changed).</summary>
/// <param name="BehindPoints">A KPI more than this many percentage points behind the elapsed share of its outcome's window is behind pace (the outcome amber); within it either way, on pace. Default 5.</param>
/// <param name="FarBehindPoints">More than this many points behind makes the outcome red. Default 15.</param>
/// <param name="AcknowledgementDays">A connection waiting longer than this many days for acknowledgement makes the outcome amber. Default 3.</param>
/// <param name="UpdatedBy">Who set it last (`OrchestraApi` for the defaults).</param>
/// <param name="UpdatedAt">When; null for the defaults.</param>
public sealed record StatusPolicyDetails(long Version, decimal BehindPoints, decimal FarBehindPoints, int AcknowledgementDays, [property: MaxLength(200)] string UpdatedBy, DateTimeOffset? UpdatedAt)
    : IVersioned
{
    public static StatusPolicyDetails Of(StatusPolicy p) => new(p.Version, p.BehindPoints, p.FarBehindPoints, p.AcknowledgementDays, p.By, p.UpdatedAt);
}

/// <summary>New thresholds; omitted ones stay.</summary>
/// <param name="BehindPoints">Points behind pace beyond which a KPI is behind (amber): 0–100, below `farBehindPoints`, at most two decimals.</param>
/// <param name="FarBehindPoints">Points behind pace beyond which the outcome is red: 0–100, above `behindPoints`, at most two decimals.</param>
/// <param name="AcknowledgementDays">Days a connection may wait for acknowledgement before the outcome is amber: 1–365.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviseStatusPolicyRequest(
    [property: Range(0, 100)] decimal? BehindPoints = null,
    [property: Range(0, 100)] decimal? FarBehindPoints = null,
    [property: Range(1, StatusPolicy.MaxAcknowledgementDays)] int? AcknowledgementDays = null)
    : IHasExample<ReviseStatusPolicyRequest>
{
    public static ReviseStatusPolicyRequest Example => new(BehindPoints: 10, FarBehindPoints: 25);
}

public sealed record GetStatusPolicy : IRequest<StatusPolicyDetails>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<GetStatusPolicy, StatusPolicyDetails>
    {
        public async Task<StatusPolicyDetails> Handle(GetStatusPolicy query, CancellationToken cancellationToken) =>
            StatusPolicyDetails.Of(await StatusPolicy.OfAsync(session, cancellationToken));
    }
}

/// <summary>Sets the organisation's thresholds; every outcome's status follows at once (its live streams and the portfolio too).</summary>
public sealed record ReviseStatusPolicy(long ExpectedVersion, ReviseStatusPolicyRequest Request, Caller Caller) : ICommand<StatusPolicyDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ReviseStatusPolicy, StatusPolicyDetails>
    {
        public async Task<StatusPolicyDetails> Handle(ReviseStatusPolicy command, CancellationToken cancellationToken)
        {
            // Never set: the defaults are version 1, and the first revision writes them (as they were) and the change.
            CommitGroups.Claim(session, StatusPolicy.IdOf(session.TenantId));
            var stream = await session.Events.FetchForWriting<StatusPolicy>(StatusPolicy.IdOf(session.TenantId), cancellationToken);
            var current = stream.Aggregate ?? StatusPolicy.Default;
            Versions.Ensure(command.ExpectedVersion, stream.Aggregate is null ? 1 : stream.CurrentVersion ?? 0);
            var r = command.Request;
            var revised = new StatusPolicyRevised(
                stream.Id, Points(r.BehindPoints, "behindPoints") ?? current.BehindPoints, Points(r.FarBehindPoints, "farBehindPoints") ?? current.FarBehindPoints,
                r.AcknowledgementDays ?? current.AcknowledgementDays, command.Caller.Name, clock.GetUtcNow());
            if (revised.BehindPoints >= revised.FarBehindPoints)
            {
                throw new InvalidInputException(r.FarBehindPoints is null ? "behindPoints" : "farBehindPoints",
                    $"must leave behindPoints ({revised.BehindPoints}) below farBehindPoints ({revised.FarBehindPoints}).");
            }

            if (revised.BehindPoints == current.BehindPoints && revised.FarBehindPoints == current.FarBehindPoints && revised.AcknowledgementDays == current.AcknowledgementDays)
            {
                return StatusPolicyDetails.Of(current);
            }

            if (stream.Aggregate is null)
            {
                stream.AppendOne(new StatusPolicyRevised(stream.Id, current.BehindPoints, current.FarBehindPoints, current.AcknowledgementDays, current.By, revised.At));
            }

            stream.AppendOne(revised);
            // Marten counts what the stream will be at once appended.
            return StatusPolicyDetails.Of(current.Evolve(revised) with { Version = stream.CurrentVersion!.Value });
        }

        private static decimal? Points(decimal? points, string field) => points is { } p && decimal.Round(p, 2) != p
            ? throw new InvalidInputException(field, "must have at most two decimals.")
            : points;
    }
}
