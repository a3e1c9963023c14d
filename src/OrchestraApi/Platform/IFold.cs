namespace OrchestraApi.Platform;

/// <summary>
/// The one fold of a stream's state: how its first event starts it and how every later event moves it on. The same
/// two functions serve a command's answer, Marten's inline snapshot (<see cref="FoldProjection{TState}"/>) and as-of;
/// an event a state does not handle fails loudly (<see cref="UnknownEventException"/>), never a silent no-op.
/// </summary>
public interface IFold<TSelf>
    where TSelf : class, IFold<TSelf>
{
    /// <summary>The state its stream's first event makes.</summary>
    static abstract TSelf Start(object first);

    /// <summary>The state after one more event of its stream.</summary>
    TSelf Evolve(object e);
}

/// <summary>
/// Marks an event of <typeparamref name="TState"/>'s stream: its fold must handle it (a test folds every one), its
/// snapshot projection takes it in, and the command pipeline refuses to save an event that belongs to no stream.
/// </summary>
public interface IEventOf<TState>
    where TState : class, IFold<TState>;

/// <summary>Folds one more event into a state that may not have started yet.</summary>
public static class Fold
{
    public static TState Next<TState>(TState? state, object e)
        where TState : class, IFold<TState> => state is null ? TState.Start(e) : state.Evolve(e);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> Marked = new();

    /// <summary>True for an event type marked as belonging to a stream (<see cref="IEventOf{TState}"/>).</summary>
    public static bool HasStream(Type eventType) => Marked.GetOrAdd(eventType, t => StateOf(t) is not null);

    /// <summary>The state whose stream an event type belongs to (<see cref="IEventOf{TState}"/>), or null for none.</summary>
    public static Type? StateOf(Type eventType) => eventType.GetInterfaces()
        .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEventOf<>))?.GetGenericArguments()[0];

    /// <summary>The event types of <typeparamref name="TState"/>'s stream: those marked <see cref="IEventOf{TState}"/>.</summary>
    public static IReadOnlyList<Type> EventsOf<TState>()
        where TState : class, IFold<TState> =>
        [.. typeof(TState).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IEventOf<TState>).IsAssignableFrom(t))];
}
