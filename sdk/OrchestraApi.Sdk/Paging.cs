using System.Runtime.CompilerServices;

namespace OrchestraApi.Sdk;

/// <summary>One page of a list: its items and the cursor of the next page (null on the last).</summary>
public interface IPage<out T>
{
    IReadOnlyList<T> Items { get; }

    string? NextCursor { get; }
}

public partial class PageOfActivityDetails : IPage<ActivityDetails>;

public partial class PageOfApiKeySummary : IPage<ApiKeySummary>;

public partial class PageOfKpiCatalogueEntry : IPage<KpiCatalogueEntry>;

public partial class PageOfOutcomeChange : IPage<OutcomeChange>;

public partial class PageOfOutcomeDetails : IPage<OutcomeDetails>;

public partial class PageOfPlanChange : IPage<PlanChange>;

public partial class PageOfPlanSummary : IPage<PlanSummary>;

public partial class PageOfConnectionDetails : IPage<ConnectionDetails>;

public partial class PageOfConnectionChange : IPage<ConnectionChange>;

public partial class PageOfResultDetails : IPage<ResultDetails>;

public partial class PageOfSegmentDetails : IPage<SegmentDetails>;

public partial class PageOfSegmentChange : IPage<SegmentChange>;

public partial class PageOfKpiObservation : IPage<KpiObservation>;

public partial class PageOfPortfolioItem : IPage<PortfolioItem>;

public partial class PageOfBaselineDetails : IPage<BaselineDetails>;

/// <summary>
/// Every list as an <see cref="IAsyncEnumerable{T}"/> that follows <c>nextCursor</c> page by page (100 items a
/// request): <c>await foreach (var outcome in outcomes.ListAllOutcomesAsync()) { … }</c>.
/// </summary>
public static class Paging
{
    private const int PageSize = 100;

    public static IAsyncEnumerable<OutcomeDetails> ListAllOutcomesAsync(this IOutcomesClient client, OutcomeStatus? status = null, string? conductor = null, CancellationToken cancellationToken = default) =>
        AllAsync<OutcomeDetails, PageOfOutcomeDetails>((cursor, ct) => client.ListOutcomesAsync(status, conductor, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<OutcomeChange> GetAllOutcomeHistoryAsync(this IOutcomesClient client, Guid outcomeId, CancellationToken cancellationToken = default) =>
        AllAsync<OutcomeChange, PageOfOutcomeChange>((cursor, ct) => client.GetOutcomeHistoryAsync(outcomeId, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<KpiCatalogueEntry> ListAllKpiCatalogueAsync(this IOutcomesClient client, CancellationToken cancellationToken = default) =>
        AllAsync<KpiCatalogueEntry, PageOfKpiCatalogueEntry>((cursor, ct) => client.ListKpiCatalogueAsync(PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<PlanSummary> ListAllPlansAsync(this IPlansClient client, Guid outcomeId, Discipline? discipline = null, PlanStatus? status = null, CancellationToken cancellationToken = default) =>
        AllAsync<PlanSummary, PageOfPlanSummary>((cursor, ct) => client.ListPlansAsync(outcomeId, discipline, status, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<ActivityDetails> ListAllActivitiesAsync(
        this IPlansClient client, Guid outcomeId, Discipline? discipline = null, ActivityStatus? status = null, Channel? channel = null, DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default) =>
        AllAsync<ActivityDetails, PageOfActivityDetails>((cursor, ct) => client.ListActivitiesAsync(outcomeId, discipline, status, channel, from, to, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<PlanChange> GetAllPlanHistoryAsync(this IPlansClient client, Guid planId, CancellationToken cancellationToken = default) =>
        AllAsync<PlanChange, PageOfPlanChange>((cursor, ct) => client.GetPlanHistoryAsync(planId, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<PlanChange> GetAllActivityHistoryAsync(this IPlansClient client, Guid planId, Guid activityId, CancellationToken cancellationToken = default) =>
        AllAsync<PlanChange, PageOfPlanChange>((cursor, ct) => client.GetActivityHistoryAsync(planId, activityId, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<ApiKeySummary> ListAllApiKeysAsync(this IOrganisationsClient client, Guid organisationId, CancellationToken cancellationToken = default) =>
        AllAsync<ApiKeySummary, PageOfApiKeySummary>((cursor, ct) => client.ListApiKeysAsync(organisationId, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<ConnectionDetails> ListAllConnectionsAsync(
        this IConnectionsClient client, Guid outcomeId, ConnectionKind? kind = null, ConnectionState? state = null, Discipline? discipline = null, Guid? activityId = null, bool? inConflict = null, CancellationToken cancellationToken = default) =>
        AllAsync<ConnectionDetails, PageOfConnectionDetails>((cursor, ct) => client.ListConnectionsAsync(outcomeId, kind, state, discipline, activityId, inConflict, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<ConnectionChange> GetAllConnectionHistoryAsync(this IConnectionsClient client, Guid outcomeId, Guid connectionId, CancellationToken cancellationToken = default) =>
        AllAsync<ConnectionChange, PageOfConnectionChange>((cursor, ct) => client.GetConnectionHistoryAsync(outcomeId, connectionId, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<ResultDetails> ListAllResultsAsync(
        this IResultsClient client, Guid outcomeId, Guid? activityId = null, Guid? batchId = null, DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default) =>
        AllAsync<ResultDetails, PageOfResultDetails>((cursor, ct) => client.ListResultsAsync(outcomeId, activityId, batchId, from, to, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<SegmentDetails> ListAllSegmentsAsync(this ISegmentsClient client, CancellationToken cancellationToken = default) =>
        AllAsync<SegmentDetails, PageOfSegmentDetails>((cursor, ct) => client.ListSegmentsAsync(PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<SegmentChange> GetAllSegmentHistoryAsync(this ISegmentsClient client, Guid segmentId, CancellationToken cancellationToken = default) =>
        AllAsync<SegmentChange, PageOfSegmentChange>((cursor, ct) => client.GetSegmentHistoryAsync(segmentId, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<KpiObservation> ListAllKpiObservationsAsync(this IResultsClient client, Guid outcomeId, string key, CancellationToken cancellationToken = default) =>
        AllAsync<KpiObservation, PageOfKpiObservation>((cursor, ct) => client.ListKpiObservationsAsync(outcomeId, key, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<PortfolioItem> GetAllPortfolioAsync(
        this IStatusClient client, OutcomeStatus? state = null, Rag? rag = null, string? conductor = null, Discipline? disciplineWithProblems = null, PortfolioOrder? order = null, CancellationToken cancellationToken = default) =>
        AllAsync<PortfolioItem, PageOfPortfolioItem>((cursor, ct) => client.GetPortfolioAsync(state, rag, conductor, disciplineWithProblems, order, PageSize, cursor, ct), cancellationToken);

    public static IAsyncEnumerable<BaselineDetails> ListAllBaselinesAsync(this IBaselinesClient client, Guid outcomeId, CancellationToken cancellationToken = default) =>
        AllAsync<BaselineDetails, PageOfBaselineDetails>((cursor, ct) => client.ListBaselinesAsync(outcomeId, PageSize, cursor, ct), cancellationToken);

    /// <summary>Follows the cursor of any list, one page per request, until the last page.</summary>
    public static async IAsyncEnumerable<T> AllAsync<T, TPage>(Func<string?, CancellationToken, Task<TPage>> page, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TPage : IPage<T>
    {
        ArgumentNullException.ThrowIfNull(page);
        string? cursor = null;
        do
        {
            var current = await page(cursor, cancellationToken).ConfigureAwait(false);
            foreach (var item in current.Items)
            {
                yield return item;
            }

            cursor = current.NextCursor;
        }
        while (cursor is not null);
    }
}
