namespace OrchestraApi.Status;

/// <summary>
/// An event of an outcome's streams: every change to what its status is computed from names the outcome, in its data
/// (<c>outcomeId</c>), which <see cref="OutcomeEventIndex"/> indexes, so an outcome's events are one index range.
/// </summary>
public interface IOutcomeEvent
{
    Guid OutcomeId { get; }
}
