using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Marten;

namespace OrchestraApi.Platform;

/// <summary>
/// Group commit (decision 31). The commands of one organisation that arrive while one of its batches is running wait;
/// then they run one after another, in arrival order, in one session, and commit in one transaction: their
/// Idempotency-Key records read by one query, their changes and key records saved by one round trip, the commit
/// observers told once. While a batch saves, the next one's handlers run. A command alone (light load) runs at once.
/// <para>
/// Each command keeps its own answer. One whose rule fails (404, 409, 412 …) before it changed anything fails alone
/// (with an Idempotency-Key it runs again alone, so that a retry of its key committed meanwhile gives it the first
/// answer, as without batching). One that would read a stream an earlier command of the batch changed — it would
/// decide on a state that misses that pending change — waits until the batch has committed and then runs alone,
/// exactly as it does without batching; so does a retry of an Idempotency-Key already in the batch. Anything else (a
/// failure after it changed something, an unexpected error, a save the database refused on a version, a unique index
/// or a key record) discards the batch's session, and each of its commands runs alone, so only the true conflicts fail.
/// </para>
/// </summary>
public sealed class CommitGroups(IDocumentStore store, IEnumerable<ICommitObserver> observers, IConfiguration configuration, Telemetry telemetry, ILogger<CommitGroups> logger)
{
    /// <summary>Off with <c>Orchestra:GroupCommit:Enabled=false</c>: every command then runs alone (for comparing, in benchmarks).</summary>
    public bool Enabled { get; } = configuration.GetValue("Orchestra:GroupCommit:Enabled", true);

    /// <summary>
    /// How long a batch waits for more commands before it runs (<c>Orchestra:GroupCommit:GatherMilliseconds</c>, like
    /// PostgreSQL's commit_delay): 0 by default, so a command alone never waits; tests set it to make batches certain.
    /// </summary>
    private readonly TimeSpan _gather = TimeSpan.FromMilliseconds(Math.Clamp(configuration.GetValue("Orchestra:GroupCommit:GatherMilliseconds", 0), 0, 1_000));

    /// <summary>At most this many commands share a transaction (16 clients make batches of ~8 on two cores).</summary>
    public const int MaxBatch = 32;

    private static readonly ConditionalWeakTable<IDocumentSession, Batch> Running = new();

    private readonly ConcurrentDictionary<string, Group> _groups = new();
    private readonly ICommitObserver[] _observers = [.. observers];

    /// <summary>Queues a command of the organisation; its turn tells it how and when to run.</summary>
    public CommandTurn Join(string tenant, string? idempotencyRecordId)
    {
        var turn = new CommandTurn(idempotencyRecordId);
        var group = _groups.GetOrAdd(tenant, t => new Group(t));
        bool start;
        lock (group)
        {
            group.Waiting.Enqueue(turn);
            start = !group.Running;
            group.Running = true;
        }

        if (start)
        {
            _ = Task.Run(() => RunAsync(group));
        }

        return turn;
    }

    /// <summary>
    /// Called by every fetch, lock and share lock of a stream (<see cref="EventStreams"/>): in a batch, a stream an
    /// earlier command of the batch changed sends this command to run alone after the batch commits.
    /// </summary>
    public static void Claim(IDocumentSession session, Guid streamId)
    {
        if (Running.TryGetValue(session, out var batch))
        {
            batch.Claim(streamId);
        }
    }

    /// <summary>
    /// The organisation's batches, one after another. While a batch saves, the next one's handlers already run (they
    /// wait on any lock the saving batch holds, as concurrent commands always did); saves stay in arrival order.
    /// </summary>
    private async Task RunAsync(Group group)
    {
        var saving = Task.CompletedTask;
        while (true)
        {
            if (_gather > TimeSpan.Zero)
            {
                await Task.Delay(_gather);
            }

            var turns = new List<CommandTurn>();
            lock (group)
            {
                while (turns.Count < MaxBatch && group.Waiting.TryDequeue(out var next))
                {
                    turns.Add(next);
                }

                if (turns.Count == 0 && saving.IsCompleted)
                {
                    group.Running = false;
                    return;
                }
            }

            if (turns.Count == 0)
            {
                await saving;
                continue;
            }

            try
            {
                saving = await RunBatchAsync(group.Tenant, turns, saving);
            }
            catch (Exception e)
            {
                // Reading the key records or opening the session failed: every command still waiting runs alone.
                logger.LogWarning(e, "A batch of {Count} commands could not run together; each runs alone", turns.Count);
                foreach (var turn in turns)
                {
                    turn.RunAlone();
                }
            }
        }
    }

    /// <summary>Runs the batch's commands in turn; returns its save (after <paramref name="previous"/>), which answers them.</summary>
    private async Task<Task> RunBatchAsync(string tenant, List<CommandTurn> turns, Task previous)
    {
        var session = store.LightweightSession(tenant);
        try
        {
            var batch = new Batch(session);
            Running.Add(session, batch);
            var keyed = turns.Select(t => t.IdempotencyRecordId).OfType<string>().Distinct().ToArray();
            var earlier = keyed.Length == 0
                ? new Dictionary<string, IdempotencyRecord>()
                : (await session.LoadManyAsync<IdempotencyRecord>(CancellationToken.None, keyed)).ToDictionary(r => r.Id);
            var ran = new List<CommandTurn>();
            var afterwards = new List<CommandTurn>();
            var keysInBatch = new HashSet<string>();
            var discarded = false;
            foreach (var turn in turns)
            {
                if (turn.IdempotencyRecordId is { } recordId && earlier.TryGetValue(recordId, out var record))
                {
                    turn.Replay(record);
                    continue;
                }

                if (discarded)
                {
                    telemetry.RanAlone("discarded", 1);
                    afterwards.Add(turn);
                    continue;
                }

                if (turn.IdempotencyRecordId is { } key && !keysInBatch.Add(key))
                {
                    telemetry.RanAlone("key", 1);
                    afterwards.Add(turn);
                    continue;
                }

                var before = batch.Begin(turn);
                var error = await turn.RunInAsync(session);
                var changed = batch.Changed(before);
                if (error is null && !batch.Overlaps(changed))
                {
                    batch.Keep(changed);
                    ran.Add(turn);
                }
                else if (error is StreamHeldInBatchException && changed.Count == 0)
                {
                    telemetry.RanAlone("held", 1);
                    afterwards.Add(turn);
                }
                else if (error is not null && changed.Count == 0 && IsAnswer(error) && turn.IdempotencyRecordId is null)
                {
                    turn.Fail(error);
                }
                else if (error is not null && changed.Count == 0 && IsAnswer(error))
                {
                    // A retry of its key may be committing in the batch before this one (its record was not there
                    // when this batch looked): alone, the command settles that — the first answer, or its own failure.
                    telemetry.RanAlone("settle", 1);
                    afterwards.Add(turn);
                }
                else
                {
                    // Its partial change (or the session's state after an unexpected error) cannot be taken back:
                    // nothing of this batch is saved, and each command runs alone.
                    discarded = true;
                    afterwards.InsertRange(0, [.. ran, turn]);
                    telemetry.RanAlone("discarded", ran.Count + 1);
                    ran.Clear();
                }
            }

            return SaveAndReleaseAsync(session, ran, afterwards, previous);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>After the previous batch's save: this one's, its commands answered, then those that must run alone released.</summary>
    private async Task SaveAndReleaseAsync(IDocumentSession session, List<CommandTurn> ran, List<CommandTurn> afterwards, Task previous)
    {
        try
        {
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (ran.Count > 0)
            {
                await SaveAsync(session, ran, afterwards);
            }
        }
        finally
        {
            try
            {
                await session.DisposeAsync();
            }
            catch (Exception e)
            {
                logger.LogDebug(e, "Closing a batch's session failed");
            }

            foreach (var turn in afterwards)
            {
                turn.RunAlone();
            }
        }
    }

    /// <summary>
    /// One save for the batch. If the database refused it (a version, a unique index, a key record: nothing was
    /// committed), each command runs alone. If the answer was lost (the connection broke during the commit), nobody
    /// knows whether it committed: each command fails as it would alone, and its client retries with its key.
    /// </summary>
    private async Task SaveAsync(IDocumentSession session, List<CommandTurn> ran, List<CommandTurn> afterwards)
    {
        object?[] saving = [];
        var sent = false;
        try
        {
            session.EnsureEveryEventHasItsStream();
            foreach (var turn in ran)
            {
                if (turn.Record is { } record)
                {
                    session.Insert(record);
                }
            }

            saving = [.. _observers.Select(o => o.Saving(session))];
            sent = true;
            await session.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e) when (!sent || !AnswerLost(e))
        {
            logger.LogDebug(e, "A batch of {Count} commands failed to save; each runs alone", ran.Count);
            telemetry.RanAlone("save", ran.Count);
            afterwards.InsertRange(0, ran);
            return;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "A batch of {Count} commands may or may not have committed; each fails", ran.Count);
            foreach (var turn in ran)
            {
                turn.Fail(e);
            }

            return;
        }

        telemetry.BatchCommitted(ran.Count);
        try
        {
            for (var i = 0; i < _observers.Length; i++)
            {
                _observers[i].Committed(session.TenantId, saving[i]);
            }
        }
        finally
        {
            foreach (var turn in ran)
            {
                turn.Commit();
            }
        }
    }

    /// <summary>
    /// Whether the commit's answer may have been lost: the connection failed or timed out and the database never
    /// answered. An error the database answered (a version, a unique index) or one raised before it was asked means
    /// the transaction did not commit.
    /// </summary>
    public static bool AnswerLost(Exception e)
    {
        var chain = new List<Exception>();
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            chain.Add(inner);
        }

        return !chain.Any(x => x is Npgsql.PostgresException)
            && chain.Any(x => x is Npgsql.NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException);
    }

    /// <summary>Failures a handler decides before it changes anything: answered as problems, they fail only their command.</summary>
    private static bool IsAnswer(Exception e) => e is NotFoundException or ForbiddenException or RuleViolationException
        or PreconditionFailedException or PreconditionRequiredException or InvalidInputException or GoneException;

    private sealed class Group(string tenant)
    {
        public string Tenant { get; } = tenant;

        public Queue<CommandTurn> Waiting { get; } = new();

        public bool Running { get; set; }
    }

    /// <summary>The streams the commands of a running batch changed, and which command changed each.</summary>
    private sealed class Batch(IDocumentSession session)
    {
        private readonly Dictionary<Guid, CommandTurn> _changed = [];
        private CommandTurn? _current;

        public (Dictionary<Guid, int> Events, int Operations) Begin(CommandTurn turn)
        {
            _current = turn;
            return Pending();
        }

        /// <summary>
        /// The command is about to decide on this stream: if an earlier command of the batch changed it, the state
        /// it would read misses that change, so it stops here (before changing anything) and runs after the commit.
        /// Streams earlier commands only read are no obstacle: in a serial order they come first either way.
        /// </summary>
        public void Claim(Guid streamId)
        {
            if (_changed.TryGetValue(streamId, out var changer) && changer != _current)
            {
                throw new StreamHeldInBatchException();
            }
        }

        /// <summary>The streams whose pending events grew while the command ran; an added document operation counts as a change of no stream.</summary>
        public List<Guid> Changed((Dictionary<Guid, int> Events, int Operations) before)
        {
            var (events, operations) = Pending();
            // A fetched stream is pending with no events until something is appended: only growth is a change.
            var changed = events.Where(s => s.Value != before.Events.GetValueOrDefault(s.Key)).Select(s => s.Key).ToList();
            if (operations != before.Operations && changed.Count == 0)
            {
                changed.Add(Guid.Empty);
            }

            return changed;
        }

        /// <summary>Whether the command appended to a stream an earlier command of the batch also changed (without reading it through a claim).</summary>
        public bool Overlaps(List<Guid> changed) =>
            changed.Any(id => id != Guid.Empty && _changed.TryGetValue(id, out var changer) && changer != _current);

        public void Keep(List<Guid> changed)
        {
            foreach (var id in changed.Where(id => id != Guid.Empty))
            {
                _changed[id] = _current!;
            }
        }

        private (Dictionary<Guid, int> Events, int Operations) Pending() =>
            (session.PendingChanges.Streams().ToDictionary(s => s.Id, s => s.Events.Count), session.PendingChanges.Operations().Count());
    }
}

/// <summary>Thrown inside a batch when a command reaches for a stream an earlier command of the batch changed; never answered.</summary>
public sealed class StreamHeldInBatchException() : Exception("An earlier command of this batch changed the stream; this command runs alone after the batch commits.");

/// <summary>One command's place in its organisation's queue: how it runs (in a batch's session, alone, or replayed) and how it ended.</summary>
public sealed class CommandTurn(string? idempotencyRecordId)
{
    private readonly TaskCompletionSource<object> _start = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception?> _ran = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<object> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string? IdempotencyRecordId { get; } = idempotencyRecordId;

    /// <summary>The key record the command's answer is kept under, set when it ran in a batch.</summary>
    public IdempotencyRecord? Record { get; private set; }

    /// <summary>What the command should do first: run in this session (<see cref="IDocumentSession"/>), replay (<see cref="IdempotencyRecord"/>) or run alone (<see cref="Alone"/>).</summary>
    public Task<object> Started => _start.Task;

    /// <summary>How its run in the batch ended: <see cref="Committed"/>, an exception to answer, or <see cref="Alone"/>.</summary>
    public Task<object> Ended => _end.Task;

    public static readonly object Alone = new();

    public static readonly object Committed = new();

    /// <summary>The command says it ran (its error, or null with the record of its answer when it had a key).</summary>
    public void Ran(Exception? error, IdempotencyRecord? record = null)
    {
        Record = record;
        _ran.SetResult(error);
    }

    internal async Task<Exception?> RunInAsync(IDocumentSession session)
    {
        _start.SetResult(session);
        return await _ran.Task;
    }

    internal void Replay(IdempotencyRecord record) => _start.SetResult(record);

    internal void RunAlone()
    {
        if (!_start.TrySetResult(Alone))
        {
            _end.TrySetResult(Alone);
        }
    }

    internal void Fail(Exception error) => _end.SetResult(error);

    internal void Commit() => _end.SetResult(Committed);
}
