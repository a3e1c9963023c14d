namespace OrchestraApi.Platform;

/// <summary>A state whose version is its stream's (set by Marten on its snapshot, and by <see cref="StreamStates"/>).</summary>
public interface IStreamVersioned
{
    long Version { get; set; }
}
