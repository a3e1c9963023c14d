using JasperFx.Events;
using Marten;
using Marten.Events;

namespace OrchestraApi.Platform;

public static class EventStreams
{
    /// <summary>
    /// The write path of every command on an existing stream: load it (404 if it is not in this organisation),
    /// check the caller's If-Match version (412), decide, append. Marten re-checks the version when the session
    /// saves, so a concurrent writer that got in first also turns this request into a 412.
    /// </summary>
    /// <param name="exclusive">Lock the stream first (see <see cref="LockAsync{T}"/>).</param>
    public static Task<(T State, long Version)> DecideAsync<T>(
        this IDocumentSession session, Guid id, long expectedVersion, Func<T, IReadOnlyList<object>> decide, Func<T, object, T> evolve, CancellationToken ct, bool exclusive = false)
        where T : class =>
        session.DecideAsync<T>(id, expectedVersion, state => Task.FromResult(decide(state)), evolve, ct, exclusive);

    /// <summary>As above, for decisions that read other documents first (e.g. the outcome a plan serves).</summary>
    /// <param name="exclusive">Lock the stream first (see <see cref="LockAsync{T}"/>), for streams whose rules span other streams.</param>
    public static async Task<(T State, long Version)> DecideAsync<T>(
        this IDocumentSession session, Guid id, long expectedVersion, Func<T, Task<IReadOnlyList<object>>> decide, Func<T, object, T> evolve, CancellationToken ct, bool exclusive = false)
        where T : class
    {
        var stream = exclusive ? await session.LockAsync<T>(id, ct) : await session.FetchAsync<T>(id, ct);
        var state = stream.Aggregate!;
        var version = stream.CurrentVersion ?? 0;
        Versions.Ensure(expectedVersion, version);
        var events = await decide(state);
        stream.AppendMany(events);
        return (events.Aggregate(state, evolve), version + events.Count);
    }

    /// <summary>Loads a stream for an optimistic write (404 if it is not in this organisation).</summary>
    public static async Task<IEventStream<T>> FetchAsync<T>(this IDocumentSession session, Guid id, CancellationToken ct)
        where T : class
    {
        CommitGroups.Claim(session, id);
        // The empty id is never a stream's (ids are server-made) and Marten refuses it outright: answer as unknown.
        var stream = id == Guid.Empty ? null : await session.Events.FetchForWriting<T>(id, ct);
        return stream?.Aggregate is null ? throw new NotFoundException($"{typeof(T).Name} {id} was not found.") : stream;
    }

    /// <summary>
    /// Loads a stream and locks it until the session saves: other writers of the stream wait for this one instead of
    /// failing, and its rules see a state nobody else changes meanwhile (404 if it is not in this organisation).
    /// </summary>
    public static async Task<IEventStream<T>> LockAsync<T>(this IDocumentSession session, Guid id, CancellationToken ct)
        where T : class
    {
        CommitGroups.Claim(session, id);
        var stream = id == Guid.Empty ? null : await session.Events.FetchForExclusiveWriting<T>(id, ct);
        return stream?.Aggregate is null ? throw new NotFoundException($"{typeof(T).Name} {id} was not found.") : stream;
    }

    /// <summary>
    /// Loads a stream's snapshot under a shared lock until the session saves: writers of that stream wait, readers
    /// holding the same lock do not (for commands that depend on the stream's state but do not change it).
    /// </summary>
    public static async Task<T> ShareLockAsync<T>(this IDocumentSession session, Guid id, CancellationToken ct)
        where T : class
    {
        if (id != Guid.Empty)
        {
            CommitGroups.Claim(session, id);
            await session.BeginTransactionAsync(ct);
            await session.QueryAsync<int>($"select 1 from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams where id = ? and tenant_id = ? for share", ct, id, session.TenantId);
        }

        return (id == Guid.Empty ? null : await session.LoadAsync<T>(id, ct)) ?? throw new NotFoundException($"{typeof(T).Name} {id} was not found.");
    }

    /// <summary>A stream's events as a page of change entries, oldest first (404 if the stream is not in this organisation).</summary>
    public static async Task<Page<TChange>> HistoryAsync<TChange>(
        this IQuerySession session, Guid id, string resource, PageRequest page, Func<long, object, TChange> describe, CancellationToken ct)
    {
        var limit = Cursor.Limit(page.Limit);
        var after = Cursor.DecodePosition(page.Cursor);
        if (id == Guid.Empty || await session.Events.FetchStreamStateAsync(id, ct) is null)
        {
            throw new NotFoundException($"{resource} {id} was not found.");
        }

        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == id && e.Version > after)
            .OrderBy(e => e.Version)
            .Take(limit + 1)
            .ToListAsync(ct);
        return Cursor.Slice(events, limit, e => Cursor.Encode(e.Version), e => describe(e.Version, e.Data));
    }

    /// <summary>An event no stream's fold takes in would be stored and then ignored by every snapshot: refuse to save it.</summary>
    public static void EnsureEveryEventHasItsStream(this IDocumentSession session)
    {
        foreach (var e in session.PendingChanges.Streams().SelectMany(s => s.Events))
        {
            if (!Fold.HasStream(e.Data.GetType()))
            {
                throw new InvalidOperationException($"{e.Data.GetType().Name} belongs to no stream: mark it IEventOf<TheState> and fold it in that state's Evolve.");
            }
        }
    }
}
