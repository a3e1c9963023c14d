using JasperFx.Events;
using Marten.Events.Aggregation;

namespace OrchestraApi.Platform;

/// <summary>Marten's inline snapshot of <typeparamref name="TState"/>, folded by the state's own <see cref="IFold{TSelf}"/>.</summary>
public sealed class FoldProjection<TState> : SingleStreamProjection<TState, Guid>
    where TState : class, IFold<TState>
{
    public FoldProjection()
    {
        // Only the streams of this state: an event of another stream never reaches its fold.
        foreach (var type in Fold.EventsOf<TState>())
        {
            IncludeType(type);
        }
    }

    public override TState Evolve(TState? snapshot, Guid id, IEvent e) => Fold.Next(snapshot, e.Data);
}
