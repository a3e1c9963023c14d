using Marten;

namespace OrchestraApi.Platform;

public static class EventStreams
{
    /// <summary>
    /// The write path of every command on an existing stream: load it (404 if it is not in this organisation),
    /// check the caller's If-Match version (412), decide, append. Marten re-checks the version when the session
    /// saves, so a concurrent writer that got in first also turns this request into a 412.
    /// </summary>
    public static Task<(T State, long Version)> DecideAsync<T>(
        this IDocumentSession session, Guid id, long expectedVersion, Func<T, IReadOnlyList<object>> decide, Func<T, object, T> evolve, CancellationToken ct)
        where T : class =>
        session.DecideAsync<T>(id, expectedVersion, state => Task.FromResult(decide(state)), evolve, ct);

    /// <summary>As above, for decisions that read other documents first (e.g. the outcome a plan serves).</summary>
    public static async Task<(T State, long Version)> DecideAsync<T>(
        this IDocumentSession session, Guid id, long expectedVersion, Func<T, Task<IReadOnlyList<object>>> decide, Func<T, object, T> evolve, CancellationToken ct)
        where T : class
    {
        // The empty id is never a stream's (ids are server-made) and Marten refuses it outright: answer as unknown.
        var stream = id == Guid.Empty ? null : await session.Events.FetchForWriting<T>(id, ct);
        if (stream?.Aggregate is not { } state)
        {
            throw new NotFoundException($"{typeof(T).Name} {id} was not found.");
        }

        var version = stream.CurrentVersion ?? 0;
        Versions.Ensure(expectedVersion, version);
        var events = await decide(state);
        stream.AppendMany(events);
        return (events.Aggregate(state, evolve), version + events.Count);
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
}
