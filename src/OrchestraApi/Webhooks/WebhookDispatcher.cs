using System.Collections.Concurrent;
using System.Text;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using System.Text.Json;
using OrchestraApi.Feed;
using OrchestraApi.Platform;

namespace OrchestraApi.Webhooks;

/// <summary>How an endpoint has fared lately (a document of the organisation): since when it fails without a success.</summary>
/// <param name="FailingSince">The first failed attempt since the last success; null while it succeeds.</param>
/// <param name="FirstFailedPosition">The position of the first event that failed since then.</param>
public sealed record WebhookEndpointHealth(Guid Id, DateTimeOffset? FailingSince, long? FirstFailedPosition);

/// <summary>
/// Sends pending deliveries, on the one node whose async daemon runs the feed's subscription (so when the daemon's
/// leadership moves, delivery moves with it; the queue is in PostgreSQL, so nothing is lost). Each round takes the
/// deliveries that are due and not held back by an earlier pending delivery of the same outcome to the same endpoint;
/// a group of one outcome goes out in position order and stops at its first failure, groups go out in parallel.
/// Wakes when the feed moves (a NOTIFY every node hears), and at least every second for retries that fall due.
/// </summary>
public sealed class WebhookDispatcher(
    IDocumentStore store, NpgsqlDataSource database, IServiceProvider services, WebhookSender sender, FeedSignals signals,
    IOptions<WebhookSettings> settings, TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int RoundSize = 500;
    private const int SenderThreads = 16;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var moved = signals.AnyMove();
                if (!FeedSubscription.RunsHere(services))
                {
                    await Task.Delay(Idle, clock, stoppingToken);
                    continue;
                }

                if (await RoundAsync(stoppingToken) == 0)
                {
                    await Task.WhenAny(moved, Task.Delay(Idle, clock, stoppingToken));
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is NpgsqlException or Marten.Exceptions.MartenException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(e, "Webhook delivery paused by an error; it resumes in 5 seconds");
                await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken);
            }
        }
    }

    /// <summary>One round: sends what is due; answers how many attempts it made.</summary>
    public async Task<int> RoundAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await DueAsync(now, ct);
        if (due.Count == 0)
        {
            return 0;
        }

        var secrets = new ConcurrentDictionary<(string, Guid), WebhookSecrets?>();
        foreach (var tenant in due.Select(d => d.Tenant).Distinct())
        {
            await using var session = store.QuerySession(tenant);
            foreach (var found in await session.LoadManyAsync<WebhookSecrets>(ct, due.Where(d => d.Tenant == tenant).Select(d => d.Delivery.EndpointId).Distinct()))
            {
                secrets[(tenant, found.Id)] = found;
            }
        }

        var results = new ConcurrentBag<(Due Due, AttemptResult Result)>();
        // An endpoint that answers 410 gets nothing more, even from groups of this round still going.
        var gone = new ConcurrentDictionary<(string, Guid), bool>();
        var groups = new ConcurrentQueue<IGrouping<(string, Guid, string), Due>>(due.GroupBy(d => (d.Tenant, d.Delivery.EndpointId, d.Delivery.Partition)));
        await OnSenderThreadsAsync(groups, group =>
        {
            var lane = group.OrderBy(d => d.Delivery.Position).ThenBy(d => d.Delivery.Id).ToList();
            for (var next = 0; next < lane.Count;)
            {
                var first = lane[next];
                if (!secrets.TryGetValue((first.Tenant, first.Delivery.EndpointId), out var secret) || secret is null || gone.ContainsKey((first.Tenant, first.Delivery.EndpointId)))
                {
                    break;
                }

                var batch = Batch(lane, next);
                next += batch.Count;
                var result = Attempt(batch, secret, ct);
                foreach (var item in batch)
                {
                    results.Add((item, result));
                }

                if (result.Gone)
                {
                    gone[(first.Tenant, first.Delivery.EndpointId)] = true;
                }

                if (!result.Delivered)
                {
                    break;
                }
            }
        });

        foreach (var tenant in results.GroupBy(r => r.Due.Tenant))
        {
            await RecordAsync(tenant.Key, [.. tenant], ct);
        }

        return results.Count;
    }

    /// <summary>
    /// The deliveries that go in one request from <paramref name="start"/> on: one, or on an endpoint that takes batches
    /// as many of the outcome's next ones as its batch size and <see cref="WebhookRules.MaxBatchBytes"/> allow.
    /// </summary>
    private static List<Due> Batch(List<Due> lane, int start)
    {
        var first = lane[start];
        var batch = new List<Due> { first };
        if (first.MaxBatch == 1 || first.Body is null)
        {
            return batch;
        }

        var bytes = Encoding.UTF8.GetByteCount(first.Body) + 2;
        for (var i = start + 1; i < lane.Count && batch.Count < first.MaxBatch && lane[i].Body is { } body; i++)
        {
            bytes += Encoding.UTF8.GetByteCount(body) + 1;
            if (bytes > WebhookRules.MaxBatchBytes)
            {
                break;
            }

            batch.Add(lane[i]);
        }

        return batch;
    }

    /// <summary>One attempt for a request's deliveries: one CloudEvent, or a batch (a JSON array) whose webhook-id is made from its events' ids.</summary>
    private AttemptResult Attempt(List<Due> batch, WebhookSecrets secret, CancellationToken ct)
    {
        var first = batch[0];
        if (first.Body is not { } body)
        {
            return new AttemptResult(new WebhookAttempt(clock.GetUtcNow(), null, 0, null, "The event is older than the feed keeps: it can no longer be sent."), false, false, null, Final: true);
        }

        if (first.MaxBatch == 1)
        {
            return sender.Send(first.Url, secret, first.Delivery.MessageId.ToString(), body, batch: false, clock.GetUtcNow(), ct);
        }

        var id = BatchId(batch.Select(d => d.Delivery.MessageId));
        var result = sender.Send(first.Url, secret, id.ToString(), $"[{string.Join(',', batch.Select(d => d.Body))}]", batch: true, clock.GetUtcNow(), ct);
        return result with { Attempt = result.Attempt with { BatchId = id, BatchSize = batch.Count } };
    }

    /// <summary>A batch's webhook-id: made from its events' ids in order (<see cref="NamedIds"/>), so the same events always make the same id.</summary>
    public static Guid BatchId(IEnumerable<Guid> messageIds)
    {
        var ids = messageIds.ToList();
        var bytes = new byte[ids.Count * 16];
        for (var i = 0; i < ids.Count; i++)
        {
            ids[i].TryWriteBytes(bytes.AsSpan(i * 16), bigEndian: true, out _);
        }

        return NamedIds.Of(bytes);
    }

    /// <summary>
    /// Runs <paramref name="send"/> for every group on up to <see cref="SenderThreads"/> threads of their own (one group
    /// at a time each, its deliveries in order); completes when every group is done.
    /// </summary>
    private static Task OnSenderThreadsAsync<T>(ConcurrentQueue<T> groups, Action<T> send) =>
        Task.WhenAll(Enumerable.Range(0, Math.Min(SenderThreads, groups.Count)).Select(_ => Task.Factory.StartNew(
            () =>
            {
                while (groups.TryDequeue(out var group))
                {
                    send(group);
                }
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

    /// <param name="Body">What to send; null when the feed no longer keeps the event (it fails with that error).</param>
    /// <param name="MaxBatch">The endpoint's batch size (1: each event alone).</param>
    private sealed record Due(string Tenant, string Url, WebhookDelivery Delivery, string? Body, int MaxBatch);

    private async Task<List<Due>> DueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        // Waiting: per endpoint and outcome, the first delivery that failed and waits for its retry; what comes after it waits too.
        await using var query = database.CreateCommand($"""
            with waiting as (
              select tenant_id, endpoint_id, partition, min(position) as position
              from {schema}.mt_doc_webhookdelivery
              where state = 'Pending' and next_attempt_at > $1
              group by tenant_id, endpoint_id, partition)
            select d.tenant_id, d.data, e.data ->> 'url', f.data, coalesce((e.data ->> 'maxBatch')::int, 1)
            from {schema}.mt_doc_webhookdelivery d
            join {schema}.mt_doc_webhookendpoint e on e.tenant_id = d.tenant_id and e.id = d.endpoint_id
            left join {schema}.mt_doc_feedentry f on f.tenant_id = d.tenant_id and f.id = d.position
            left join waiting w on w.tenant_id = d.tenant_id and w.endpoint_id = d.endpoint_id and w.partition = d.partition
            where d.state = 'Pending' and d.next_attempt_at <= $1 and (e.data ->> 'enabled')::boolean
              and (w.position is null or d.position < w.position)
            order by d.next_attempt_at, d.position
            limit {RoundSize}
            """);
        query.Parameters.AddWithValue(now);
        var serializer = store.Options.Serializer();
        var due = new List<Due>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var tenant = reader.GetString(0);
            var delivery = serializer.FromJson<WebhookDelivery>(reader, 1);
            var body = delivery.Body ?? (await reader.IsDBNullAsync(3, ct) ? null : JsonSerializer.Serialize(CloudEvent.Of(tenant, serializer.FromJson<FeedEntry>(reader, 3)), FeedPayloads.Json));
            due.Add(new Due(tenant, reader.GetString(2), delivery, body, reader.GetInt32(4)));
        }

        return due;
    }

    /// <summary>Saves one organisation's attempts, the endpoints' health, and disables an endpoint that answered 410 or failed too long.</summary>
    private async Task RecordAsync(string tenant, IReadOnlyList<(Due Due, AttemptResult Result)> results, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenant);
        var endpoints = results.Select(r => r.Due.Delivery.EndpointId).Distinct().ToList();
        var health = (await session.LoadManyAsync<WebhookEndpointHealth>(ct, endpoints)).ToDictionary(h => h.Id);
        var schedule = settings.Value.Schedule;
        var gone = new HashSet<Guid>();
        foreach (var (item, result) in results.OrderBy(r => r.Result.Attempt.At))
        {
            var d = item.Delivery;
            var attempts = d.Attempts.Append(result.Attempt).ToList();
            var state = result.Delivered ? WebhookDeliveryState.Delivered : result.Final || attempts.Count > schedule.Count ? WebhookDeliveryState.Failed : WebhookDeliveryState.Pending;
            var next = state == WebhookDeliveryState.Pending ? result.Attempt.At + (result.RetryAfter ?? Jittered(schedule[attempts.Count - 1])) : d.NextAttemptAt;
            session.Store(d with { Attempts = attempts, State = state.ToString(), NextAttemptAt = next });

            var was = health.GetValueOrDefault(d.EndpointId) ?? new WebhookEndpointHealth(d.EndpointId, null, null);
            health[d.EndpointId] = result.Delivered
                ? was with { FailingSince = null, FirstFailedPosition = null }
                : was with { FailingSince = was.FailingSince ?? result.Attempt.At, FirstFailedPosition = Min(was.FirstFailedPosition, d.Position) };
            if (result.Gone)
            {
                gone.Add(d.EndpointId);
            }
        }

        foreach (var h in health.Values)
        {
            session.Store(h);
            var failedTooLong = h.FailingSince is { } since && clock.GetUtcNow() - since >= TimeSpan.FromDays(settings.Value.DisableAfterDays);
            if (gone.Contains(h.Id) || failedTooLong)
            {
                var reason = gone.Contains(h.Id)
                    ? "The endpoint answered 410 Gone."
                    : $"Every attempt failed for {settings.Value.DisableAfterDays:0.#} days (since {h.FailingSince:u}).";
                await DisableAsync(session, h, reason, ct);
            }
        }

        await session.SaveChangesAsync(ct);
    }

    private async Task DisableAsync(IDocumentSession session, WebhookEndpointHealth health, string reason, CancellationToken ct)
    {
        // Through the stream's version, so the endpoint's snapshot (and its ETag) moves as for any other change.
        var stream = await session.Events.FetchForWriting<WebhookEndpoint>(health.Id, ct);
        if (stream.Aggregate is { Enabled: true } endpoint)
        {
            stream.AppendOne(new WebhookEndpointDisabled(endpoint.Id, reason, health.FirstFailedPosition, WebhookRules.System, clock.GetUtcNow()));
        }
    }

    private static long? Min(long? a, long b) => a is { } x && x > 0 && x < b ? x : b > 0 ? b : a;

    /// <summary>A delay of the schedule with ±10 % jitter, so retries of many deliveries do not arrive together.</summary>
    private static TimeSpan Jittered(TimeSpan delay) => delay * (0.9 + (Random.Shared.NextDouble() * 0.2));
}
