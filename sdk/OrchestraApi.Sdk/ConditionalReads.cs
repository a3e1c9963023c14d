namespace OrchestraApi.Sdk;

/// <summary>The answer to a read "if it changed since this version": the resource when it did, nothing when not.</summary>
public readonly record struct Conditional<T>(bool Modified, T? Value)
    where T : class
{
    internal static async Task<Conditional<T>> ReadAsync(Func<string, Task<T>> read, long version)
    {
        try
        {
            return new(true, await read($"\"{version}\"").ConfigureAwait(false));
        }
        catch (ApiException e) when (e.StatusCode == 304)
        {
            return new(false, null);
        }
    }
}

public partial interface IOutcomesClient
{
    /// <summary>The outcome if it changed since <paramref name="version"/> (the <c>version</c> you read); else <c>Modified</c> is false — a 304, no body, cheap to poll.</summary>
    Task<Conditional<OutcomeDetails>> GetOutcomeIfChangedAsync(Guid outcomeId, long version, CancellationToken cancellationToken = default);
}

public partial class OutcomesClient
{
    public Task<Conditional<OutcomeDetails>> GetOutcomeIfChangedAsync(Guid outcomeId, long version, CancellationToken cancellationToken = default) =>
        Conditional<OutcomeDetails>.ReadAsync(etag => GetOutcomeAsync(outcomeId, etag, cancellationToken), version);
}

public partial interface IPlansClient
{
    /// <summary>The plan if it changed since <paramref name="version"/>; else <c>Modified</c> is false (304).</summary>
    Task<Conditional<PlanDetails>> GetPlanIfChangedAsync(Guid planId, long version, CancellationToken cancellationToken = default);

    /// <summary>The activity if it changed since <paramref name="version"/>; else <c>Modified</c> is false (304).</summary>
    Task<Conditional<ActivityDetails>> GetActivityIfChangedAsync(Guid planId, Guid activityId, long version, CancellationToken cancellationToken = default);
}

public partial class PlansClient
{
    public Task<Conditional<PlanDetails>> GetPlanIfChangedAsync(Guid planId, long version, CancellationToken cancellationToken = default) =>
        Conditional<PlanDetails>.ReadAsync(etag => GetPlanAsync(planId, etag, cancellationToken), version);

    public Task<Conditional<ActivityDetails>> GetActivityIfChangedAsync(Guid planId, Guid activityId, long version, CancellationToken cancellationToken = default) =>
        Conditional<ActivityDetails>.ReadAsync(etag => GetActivityAsync(planId, activityId, etag, cancellationToken), version);
}

public partial interface IConnectionsClient
{
    /// <summary>The connection if it changed since <paramref name="version"/>; else <c>Modified</c> is false (304).</summary>
    Task<Conditional<ConnectionDetails>> GetConnectionIfChangedAsync(Guid outcomeId, Guid connectionId, long version, CancellationToken cancellationToken = default);
}

public partial class ConnectionsClient
{
    public Task<Conditional<ConnectionDetails>> GetConnectionIfChangedAsync(Guid outcomeId, Guid connectionId, long version, CancellationToken cancellationToken = default) =>
        Conditional<ConnectionDetails>.ReadAsync(etag => GetConnectionAsync(outcomeId, connectionId, etag, cancellationToken), version);
}

public partial interface ISegmentsClient
{
    /// <summary>The segment if it changed since <paramref name="version"/>; else <c>Modified</c> is false (304).</summary>
    Task<Conditional<SegmentDetails>> GetSegmentIfChangedAsync(Guid segmentId, long version, CancellationToken cancellationToken = default);
}

public partial class SegmentsClient
{
    public Task<Conditional<SegmentDetails>> GetSegmentIfChangedAsync(Guid segmentId, long version, CancellationToken cancellationToken = default) =>
        Conditional<SegmentDetails>.ReadAsync(etag => GetSegmentAsync(segmentId, etag, cancellationToken), version);
}
