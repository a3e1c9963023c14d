using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Validation;
using OrchestraApi.Kernel;
using OrchestraApi.Platform;

namespace OrchestraApi.Feed;

/// <summary>One change of the organisation, as a CloudEvents 1.0 JSON envelope.</summary>
/// <param name="SpecVersion">The CloudEvents version: `1.0`.</param>
/// <param name="Id">The event's id, stable forever: the same in the feed, its stream and every webhook delivery of it (dedupe on it).</param>
/// <param name="Source">The organisation the event belongs to, as its path.</param>
/// <param name="Type">The public event type (the event catalogue, `GET /event-types`), e.g. `orchestra.activity.rescheduled.v1`. New types may appear within v1: skip those you do not know.</param>
/// <param name="Subject">The path of the resource it changed.</param>
/// <param name="Time">When the change was committed (UTC).</param>
/// <param name="DataContentType">Always `application/json`.</param>
/// <param name="Sequence">The event's position in the organisation's feed, zero-padded to 19 digits so it also sorts as text; as a number it is what `after` and `Last-Event-ID` take.</param>
/// <param name="PartitionKey">The outcome the event belongs to (the resource's own id for a change outside any outcome, e.g. a segment): events of one partition are delivered in order.</param>
/// <param name="Data">The payload: `object` (the resource after the change, as its GET answers it), `previous` (the fields the change changed, with their values before; null for a creation or a recorded fact) and `by`. Its schema per type is in the event catalogue (`dataSchema`).</param>
public sealed record CloudEvent(
    [property: JsonPropertyName("specversion"), MaxLength(3)] string SpecVersion,
    [property: MaxLength(36)] string Id,
    [property: MaxLength(60)] string Source,
    [property: MaxLength(100)] string Type,
    [property: MaxLength(300)] string Subject,
    DateTimeOffset Time,
    [property: JsonPropertyName("datacontenttype"), MaxLength(16)] string DataContentType,
    [property: MaxLength(19)] string Sequence,
    [property: JsonPropertyName("partitionkey"), MaxLength(36)] string PartitionKey,
    JsonElement Data)
{
    public const string JsonMediaType = "application/cloudevents+json";

    public static CloudEvent Of(string tenant, FeedEntry e) => new(
        "1.0", e.EventId.ToString(), $"/organisations/{tenant}", e.Type, e.Subject, e.Time, "application/json", e.Id.ToString("D19", CultureInfo.InvariantCulture),
        (e.OutcomeId ?? e.StreamId).ToString(), e.Data);
}

/// <summary>A page of the feed: its events in order, where to read on from, and how far the feed goes.</summary>
/// <param name="Items">The events, oldest first.</param>
/// <param name="Next">Pass it as `after` for the next page: the last event's position, or as far as this call looked when filters matched fewer events than `limit`.</param>
/// <param name="Head">The feed's last position now; `next` equal to it means you are caught up.</param>
public sealed record EventPage([property: MaxLength(FeedQuery.MaxLimit)] IReadOnlyList<CloudEvent> Items, long Next, long Head);

/// <summary>Which part of the feed to read.</summary>
// The attributes state the limits in the contract; Parse checks them in the API's words, so the framework does not.
[SkipValidation]
public sealed record FeedQuery
{
    public const int MaxLimit = 500;
    public const int MaxWaitSeconds = 30;

    /// <summary>Positions a filtered read looks through at most, so a rare filter costs a bounded read.</summary>
    public const int ScanWindow = 10_000;

    [FromQuery(Name = "after")]
    [Description("The position after which to read (the `next` of the previous page, or an event's `sequence`); 0 for the beginning. Omit it to start at the oldest event kept. A position older than the retention is a 410; one beyond the head a 400.")]
    [Range(0, long.MaxValue)]
    public long? After { get; init; }

    [FromQuery(Name = "limit")]
    [Description("Events per page, 1–500 (default 100).")]
    [Range(1, MaxLimit), DefaultValue(100)]
    public int? Limit { get; init; }

    [FromQuery(Name = "types")]
    [Description("Only these event types, comma-separated (up to 50, from the event catalogue); unknown types are a 400.")]
    [MaxLength(5000)]
    public string? Types { get; init; }

    [FromQuery(Name = "resource")]
    [Description("Only changes of this kind of resource: outcome, kpi, kpi_observation, plan, activity, connection, results, baseline or segment.")]
    [MaxLength(50)]
    public string? Resource { get; init; }

    [FromQuery(Name = "outcomeId")]
    [Description("Only the changes of this outcome (its plans, activities, connections, results and KPIs included).")]
    public Guid? OutcomeId { get; init; }

    /// <summary>The query checked: 400 naming each field that is not right.</summary>
    public Checked Check()
    {
        var errors = new Dictionary<string, string[]>();
        if (After is < 0)
        {
            errors["after"] = ["must be 0 or more."];
        }

        if (Limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"must be between 1 and {MaxLimit}."];
        }

        var types = Types?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
        var unknown = types.FirstOrDefault(t => !PublicEvents.Types.Contains(t));
        if (types.Length > 50)
        {
            errors["types"] = ["lists more than 50 types."];
        }
        else if (unknown is not null)
        {
            errors["types"] = [unknown.Length <= 100 ? $"'{unknown}' is not an event type of the catalogue (GET /event-types)." : "names a type that is not in the catalogue (GET /event-types)."];
        }

        if (Resource is not null && !PublicEvents.Resources.ContainsKey(Resource))
        {
            errors["resource"] = [$"must be one of: {string.Join(", ", PublicEvents.Resources.Keys)}."];
        }

        if (OutcomeId == Guid.Empty)
        {
            errors["outcomeId"] = ["is not an outcome id."];
        }

        return errors.Count > 0 ? throw new InvalidInputException(errors) : new Checked(After, Limit ?? 100, types.Length == 0 ? null : types, Resource, OutcomeId);
    }

    public sealed record Checked(long? After, int Limit, string[]? Types, string? Resource, Guid? OutcomeId);
}

/// <summary>How long the feed keeps events (<c>Orchestra:Feed</c>).</summary>
public sealed class FeedSettings
{
    public const string Section = "Orchestra:Feed";

    /// <summary>Days an event stays in the feed; at least 90 by default.</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 90;
}

/// <summary>Reads the organisation's feed as the caller may see it (shared by the list, its long poll and the stream).</summary>
public sealed class FeedReader(IQuerySession session, FeedSignals signals, IOptions<FeedSettings> settings, FeedReads reads)
{
    public string Tenant => session.TenantId;

    public FeedSignals Signals => signals;

    /// <summary>
    /// One page after <paramref name="after"/> (null: from the oldest event kept): 410 for a position older than the
    /// retention, 400 beyond the head. A caller of a discipline (orchestrator, agency) sees its disciplines' changes and
    /// the outcome-level ones.
    /// </summary>
    public async Task<EventPage> ReadAsync(FeedQuery.Checked query, long? after, Caller caller, CancellationToken ct)
    {
        await reads.RecordAsync(session.TenantId, ct);
        var batch = session.CreateBatchQuery();
        var head = batch.Load<FeedHead>(FeedHead.Key);
        var oldest = batch.Query<FeedEntry>().OrderBy(e => e.Id).Select(e => e.Id).FirstOrDefault();
        await batch.Execute(ct);
        var position = (await head)?.Position ?? 0;
        // Positions start at 1: 0 is no entry kept.
        var first = await oldest is > 0 and var id ? id : position + 1;
        var from = after ?? first - 1;
        if (from > position)
        {
            throw new InvalidInputException(after is null ? "Last-Event-ID" : "after", $"is beyond the feed's last position, {position}.");
        }

        if (from < first - 1)
        {
            throw new GoneException(
                $"Events up to position {first - 1} are older than the feed keeps ({settings.Value.RetentionDays} days); read on from after={first - 1}, or replay what you missed from the resources themselves.",
                new Dictionary<string, object?> { ["oldestPosition"] = first, ["after"] = first - 1 });
        }

        var entries = session.Query<FeedEntry>().Where(e => e.Id > from);
        var filtered = query.Types is not null || query.Resource is not null || query.OutcomeId is not null || Audience(caller) is not null;
        if (filtered)
        {
            var until = from + FeedQuery.ScanWindow;
            entries = entries.Where(e => e.Id <= until);
        }

        if (query.Types is { } types)
        {
            entries = entries.Where(e => types.Contains(e.Type));
        }

        if (query.Resource is { } resource)
        {
            entries = entries.Where(e => e.Resource == resource);
        }

        if (query.OutcomeId is { } outcomeId)
        {
            entries = entries.Where(e => e.OutcomeId == outcomeId);
        }

        if (Audience(caller) is { } mine)
        {
            // By name: Marten compares a list's elements as text, as they are stored.
            entries = entries.Where(e => e.Disciplines.Count == 0 || e.Disciplines.Any(d => mine.Contains(d)));
        }

        var items = await Queryable.Take(entries.OrderBy(e => e.Id), query.Limit).ToListAsync(ct);
        // Entries and the head are written in one transaction, so everything up to the head read first is visible here.
        var reached = Math.Max(position, items.Count > 0 ? items[^1].Id : 0);
        var next = items.Count == query.Limit ? items[^1].Id : filtered ? Math.Min(from + FeedQuery.ScanWindow, reached) : reached;
        return new EventPage([.. items.Select(e => CloudEvent.Of(session.TenantId, e))], Math.Max(next, from), reached);
    }

    /// <summary>
    /// What the caller reads besides outcome-level changes, or null for everything (admins and CMOs): orchestrators and
    /// agencies their disciplines' changes, conductors every discipline's and the triggers' but not the organisation's settings (webhook endpoints).
    /// </summary>
    private static string[]? Audience(Caller caller) => caller.Role switch
    {
        Role.Orchestrator or Role.Agency => [.. caller.Disciplines.Select(d => d.ToString())],
        Role.Conductor => [.. Enum.GetNames<Discipline>(), FeedEntry.Conductors],
        _ => null,
    };
}

/// <summary>The feed's list, as a long poll when <see cref="Wait"/> is set.</summary>
/// <param name="KnownHead">The head named by If-None-Match: while the feed's head is still there, the answer is 304 (after waiting).</param>
public sealed record ListEvents(FeedQuery Query, int? Wait, long? KnownHead, Caller Caller) : IRequest<ListEvents.Answer>
{
    /// <summary>The page, or <see cref="NotModified"/> when the head is still the one the caller knows.</summary>
    public sealed record Answer(EventPage Page, bool NotModified);

    public sealed class Handler(FeedReader feed, TimeProvider clock) : IRequestHandler<ListEvents, Answer>
    {
        public async Task<Answer> Handle(ListEvents request, CancellationToken cancellationToken)
        {
            var query = request.Query.Check();
            if (request.Wait is < 0 or > FeedQuery.MaxWaitSeconds)
            {
                throw new InvalidInputException("wait", $"must be between 0 and {FeedQuery.MaxWaitSeconds} seconds.");
            }

            var deadline = clock.GetUtcNow().AddSeconds(request.Wait ?? 0);
            var after = query.After;
            while (true)
            {
                // Taken before reading: a move that lands while the page is read still wakes the wait below.
                var moved = feed.Signals.NextMove(feed.Tenant);
                var page = await feed.ReadAsync(query, after, request.Caller, cancellationToken);
                var unchanged = request.KnownHead == page.Head;
                var left = deadline - clock.GetUtcNow();
                if (page.Items.Count > 0 || left <= TimeSpan.Zero || (request.KnownHead is not null && !unchanged))
                {
                    return new Answer(page, unchanged && page.Items.Count == 0);
                }

                // Nothing yet: read on from as far as this read looked, when the feed moves (or every 5 s, should a signal be lost).
                after = page.Next;
                await Task.WhenAny(moved, Task.Delay(left < TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5), clock, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }
}
