using Marten;

namespace OrchestraApi.Platform;

/// <summary>
/// Hears every command's commit (registered as a service; the command pipeline calls each): first in the command's
/// transaction, before it saves, where it may look at what is pending and add to the transaction; then after it committed,
/// before the answer leaves, with what it returned the first time.
/// </summary>
public interface ICommitObserver
{
    object? Saving(IDocumentSession session);

    void Committed(string tenant, object? saving);
}
