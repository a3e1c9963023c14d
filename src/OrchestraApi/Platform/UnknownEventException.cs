namespace OrchestraApi.Platform;

/// <summary>An event a stream's fold does not handle: a new event type added without teaching its state.</summary>
public sealed class UnknownEventException(Type state, object e)
    : InvalidOperationException($"{state.Name} has no fold for {e.GetType().Name}: handle it in {state.Name}.Evolve (or Start).");
