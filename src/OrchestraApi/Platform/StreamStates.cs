using JasperFx.Events;

namespace OrchestraApi.Platform;

/// <summary>
/// The states of many streams folded from their events in commit order, each by its own fold (found from the event's
/// <see cref="IEventOf{TState}"/> mark): how a past moment is rebuilt from one read of the events up to it.
/// </summary>
public sealed class StreamStates
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<object?, object, object>> Folds = new();

    private readonly Dictionary<Guid, object> _states = [];

    /// <summary>Folds one more event into its stream's state; an event of no stream fails loudly.</summary>
    public void Add(IEvent e)
    {
        var next = Next(_states.GetValueOrDefault(e.StreamId), e.Data);
        if (next is IStreamVersioned versioned)
        {
            versioned.Version = e.Version;
        }

        _states[e.StreamId] = next;
    }

    /// <summary>A stream's state after one more event, by the fold its event type belongs to (an event of no stream fails loudly).</summary>
    public static object Next(object? state, object e) => Folds.GetOrAdd(e.GetType(), FoldOf)(state, e);

    /// <summary>Takes a stream's state as it is (one already at the version wanted), to fold no events of it.</summary>
    public void Keep(Guid streamId, object state) => _states[streamId] = state;

    /// <summary>The state of one stream, or null when it had not begun.</summary>
    public TState? Of<TState>(Guid streamId)
        where TState : class => _states.GetValueOrDefault(streamId) as TState;

    /// <summary>Every stream's state of one type.</summary>
    public IEnumerable<TState> All<TState>()
        where TState : class => _states.Values.OfType<TState>();

    private static Func<object?, object, object> FoldOf(Type eventType) =>
        typeof(StreamStates).GetMethod(nameof(Next), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(Fold.StateOf(eventType) ?? throw new InvalidOperationException($"{eventType.Name} belongs to no stream: mark it IEventOf<its state>."))
            .CreateDelegate<Func<object?, object, object>>();

    private static object Next<TState>(object? state, object e)
        where TState : class, IFold<TState> => Fold.Next((TState?)state, e);
}
