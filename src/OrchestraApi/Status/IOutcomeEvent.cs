namespace OrchestraApi.Status;

/// <summary>
/// An event of an outcome's streams: every change to what its status is computed from names the outcome. Marten tags
/// each such event with its <see cref="OutcomeTag"/> as it is appended, so an outcome's events are one index range.
/// </summary>
public interface IOutcomeEvent
{
    Guid OutcomeId { get; }
}
