using System.ComponentModel.DataAnnotations;
using System.Threading.Channels;
using Marten;
using OrchestraApi.Connections;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>What a live status event is.</summary>
public enum StatusEventKind
{
    /// <summary>The status when the stream opens (no Last-Event-ID).</summary>
    Snapshot,

    /// <summary>On a reconnect with Last-Event-ID: what changed while the client was away, and the status now.</summary>
    CatchUp,

    /// <summary>Something changed.</summary>
    Change,
}

/// <summary>One event of an outcome's live status stream: what changed and the RAG with its reasons after it.</summary>
/// <param name="Id">Also the SSE event id: send it back as Last-Event-ID to resume.</param>
/// <param name="Kind">What kind it is.</param>
/// <param name="Reasons">Every reason for the RAG, worst first.</param>
/// <param name="Changes">What changed, in order.</param>
public sealed record StatusEvent([property: MaxLength(36)] string Id, StatusEventKind Kind, Guid OutcomeId, DateTimeOffset At, Rag Rag, [property: MaxLength(OutcomeStatusReport.MaxReasons)] IReadOnlyList<RagReason> Reasons, [property: MaxLength(StatusChanges.MaxChanges)] IReadOnlyList<StatusChange> Changes)
{
    public static StatusEvent Of(StatusEventKind kind, OutcomeStatusReport report, DateTimeOffset at, IReadOnlyList<StatusChange> changes) =>
        new(IdOf(at), kind, report.OutcomeId, at, report.Rag, report.Reasons, changes);

    /// <summary>An event id is the moment of the status it carries, in ticks (UTC): a resume rebuilds the status then from the events.</summary>
    public static string IdOf(DateTimeOffset at) => at.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The first event a client gets: without <paramref name="since"/> a snapshot; with it, a catch-up saying what
    /// changed since that moment (rebuilt from the events), with the status now.
    /// </summary>
    public static async Task<StatusEvent> FirstAsync(IQuerySession session, StatusInputs now, OutcomeStatusReport report, DateTimeOffset? since, CancellationToken ct)
    {
        if (since is not { } moment || moment >= now.At)
        {
            return Of(since is null ? StatusEventKind.Snapshot : StatusEventKind.CatchUp, report, now.At, []);
        }

        try
        {
            var then = await now.AsOfAsync(session, moment, ct);
            return Of(StatusEventKind.CatchUp, report, now.At, StatusDiff.Between(then, then.Report(), now, report));
        }
        catch (InvalidInputException)
        {
            // An event id from before the outcome existed: everything is new.
            return Of(StatusEventKind.Snapshot, report, now.At, []);
        }
    }

    public static DateTimeOffset? MomentOf(string id) =>
        long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;
}

/// <summary>
/// Follows the outcomes someone is watching live. One loop does all the work, so events for an outcome are computed
/// once however many clients watch it, in commit order: when a command (of this instance or another) commits a change
/// to a watched outcome (see <see cref="OutcomeChanges"/>) — or, checked every 30 seconds, when time alone may have
/// moved a rule — the loop recomputes its
/// status from the streams, compares it with the last one and sends what changed to every watcher of that outcome (and
/// organisation: watches are keyed by both).
/// </summary>
public sealed class StatusFeed : BackgroundService
{
    private static readonly TimeSpan TickEvery = TimeSpan.FromSeconds(30);
    private readonly Channel<object> _work = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<(string Tenant, Guid OutcomeId), Watch> _watches = [];
    private readonly IDocumentStore _store;
    private readonly ScheduleCache _schedules;
    private readonly TimeProvider _clock;
    private readonly ILogger<StatusFeed> _logger;
    private readonly int _streamsPerOrganisation;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _open = new();

    public StatusFeed(IDocumentStore store, ScheduleCache schedules, TimeProvider clock, OutcomeChanges changes, Microsoft.Extensions.Options.IOptions<RateLimitSettings> limits, ILogger<StatusFeed> logger)
    {
        (_store, _schedules, _clock, _logger) = (store, schedules, clock, logger);
        _streamsPerOrganisation = limits.Value.LiveStreamsPerOrganisation;
        changes.Listen((tenant, outcomeId) => _work.Writer.TryWrite(new Changed(tenant, outcomeId)));
    }

    /// <summary>Live streams open on this node, every organisation's together.</summary>
    public int OpenStreams => _open.Values.Sum();

    /// <summary>
    /// Starts watching; the first event is the snapshot (or, with <paramref name="since"/>, the catch-up since then).
    /// An organisation holding as many streams as it may gets a 429 instead: one tenant cannot exhaust the server.
    /// </summary>
    public Subscription Subscribe(string tenant, Guid outcomeId, DateTimeOffset? since)
    {
        if (_open.AddOrUpdate(tenant, 1, (_, open) => open + 1) > _streamsPerOrganisation)
        {
            _open.AddOrUpdate(tenant, 0, (_, open) => open - 1);
            throw new TooManyStreamsException(_streamsPerOrganisation);
        }

        var subscription = new Subscription(tenant, outcomeId, since, this);
        _work.Writer.TryWrite(subscription);
        return subscription;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TickEvery, _clock);
        _ = Task.Run(async () =>
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                _work.Writer.TryWrite(new Tick());
            }
        }, stoppingToken);
        try
        {
            while (await _work.Reader.WaitToReadAsync(stoppingToken))
            {
                var dirty = new HashSet<Watch>();
                while (_work.Reader.TryRead(out var work))
                {
                    Take(work, dirty);
                }

                foreach (var watch in dirty)
                {
                    await RefreshAsync(watch, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Shutting down: end every stream, so clients reconnect (with Last-Event-ID) to the next instance.
            foreach (var subscription in _watches.Values.SelectMany(w => w.Subscribers.Concat(w.Joining)))
            {
                subscription.Events.Writer.TryComplete();
            }
        }
    }

    private void Take(object work, HashSet<Watch> dirty)
    {
        switch (work)
        {
            case Subscription { Left: true }:
                break;
            case Subscription s:
                var key = (s.Tenant, s.OutcomeId);
                if (!_watches.TryGetValue(key, out var watch))
                {
                    _watches[key] = watch = new Watch(s.Tenant, s.OutcomeId);
                }

                watch.Joining.Add(s);
                dirty.Add(watch);
                break;
            case Left left when _watches.TryGetValue((left.Subscription.Tenant, left.Subscription.OutcomeId), out var watched):
                watched.Subscribers.Remove(left.Subscription);
                watched.Joining.Remove(left.Subscription);
                if (watched.Subscribers.Count == 0 && watched.Joining.Count == 0)
                {
                    _watches.Remove((watched.Tenant, watched.OutcomeId));
                    dirty.Remove(watched);
                }

                break;
            case Tick:
                // Only what time alone may have moved (a day passed, an acknowledgement fell due).
                var now = _clock.GetUtcNow();
                dirty.UnionWith(_watches.Values.Where(w => w.Last is not { } last || now >= last.Inputs.ChangesWithTimeAt()));
                break;
            case Changed { Tenant: null }:
                dirty.UnionWith(_watches.Values);
                break;
            case Changed { OutcomeId: null } changed:
                dirty.UnionWith(_watches.Values.Where(w => w.Tenant == changed.Tenant));
                break;
            case Changed changed when _watches.TryGetValue((changed.Tenant, changed.OutcomeId!.Value), out var one):
                dirty.Add(one);
                break;
        }
    }

    private async Task RefreshAsync(Watch watch, CancellationToken ct)
    {
        try
        {
            await using var session = _store.QuerySession(watch.Tenant);
            var now = await StatusInputs.NowAsync(session, _schedules, watch.OutcomeId, _clock.GetUtcNow(), ct);
            var report = now.Report();
            if (watch.Last is { } last && StatusDiff.Between(last.Inputs, last.Report, now, report) is { Count: > 0 } changes)
            {
                var change = StatusEvent.Of(StatusEventKind.Change, report, now.At, changes);
                foreach (var subscriber in watch.Subscribers)
                {
                    subscriber.Events.Writer.TryWrite(change);
                }
            }

            watch.Last = (now, report);
            foreach (var joining in watch.Joining)
            {
                joining.Events.Writer.TryWrite(await StatusEvent.FirstAsync(session, now, report, joining.Since, ct));
                watch.Subscribers.Add(joining);
            }

            watch.Joining.Clear();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One outcome's failure (e.g. the database away for a moment) must not stop the others' streams: its
            // watchers are told to reconnect, and resume from their last event.
            _logger.LogWarning(e, "Live status of outcome {OutcomeId} could not be refreshed; its streams are closed to reconnect.", watch.OutcomeId);
            foreach (var subscription in watch.Subscribers.Concat(watch.Joining))
            {
                subscription.Events.Writer.TryComplete();
            }

            _watches.Remove((watch.Tenant, watch.OutcomeId));
        }
    }

    private sealed record Changed(string? Tenant, Guid? OutcomeId);

    private sealed record Tick;

    private sealed record Left(Subscription Subscription);

    private sealed class Watch(string tenant, Guid outcomeId)
    {
        public string Tenant { get; } = tenant;

        public Guid OutcomeId { get; } = outcomeId;

        public (StatusInputs Inputs, OutcomeStatusReport Report)? Last { get; set; }

        public List<Subscription> Subscribers { get; } = [];

        public List<Subscription> Joining { get; } = [];
    }

    /// <summary>One client's watch: read <see cref="Events"/>; dispose to stop.</summary>
    public sealed class Subscription(string tenant, Guid outcomeId, DateTimeOffset? since, StatusFeed feed) : IDisposable
    {
        public string Tenant { get; } = tenant;

        public Guid OutcomeId { get; } = outcomeId;

        public DateTimeOffset? Since { get; } = since;

        public bool Left { get; private set; }

        /// <summary>A slow client loses its oldest events rather than hold up the others; each event carries the whole RAG.</summary>
        public Channel<StatusEvent> Events { get; } = Channel.CreateBounded<StatusEvent>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

        public void Dispose()
        {
            if (Left)
            {
                return;
            }

            Left = true;
            feed._open.AddOrUpdate(Tenant, 0, (_, open) => open - 1);
            feed._work.Writer.TryWrite(new Left(this));
        }
    }
}
