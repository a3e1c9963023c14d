using Marten;
using OrchestraApi.Feed;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Feed;

/// <summary>The feed's positions (issue 21): per organisation, 1 to N in the daemon's order, none missing, twice or foreign.</summary>
public sealed class FeedTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task each_organisations_feed_numbers_its_events_one_to_n_with_none_missing_twice_or_foreign_under_concurrent_writers_and_412_losers()
    {
        var organisations = new[] { await Api.NewOrganisationAsync("North"), await Api.NewOrganisationAsync("South") };
        var losers = 0;
        await Task.WhenAll(organisations.Select(async organisation =>
        {
            var outcomes = Api.Outcomes(await organisation.KeyAsync(Role.Conductor));
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async writer =>
            {
                var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: $"Writer {writer}"));
                for (var round = 0; round < 5; round++)
                {
                    // Eight revisions on one version: one wins, seven roll back and leave holes in Marten's sequence.
                    var tries = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
                    {
                        try
                        {
                            return await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = $"Writer {writer} round {round} try {i}" });
                        }
                        catch (ApiException<Problem> e) when (e.StatusCode == 412)
                        {
                            Interlocked.Increment(ref losers);
                            return null;
                        }
                    }));
                    outcome = Assert.Single(tries, t => t is not null)!;
                }
            }));
        }));

        await Api.WaitForProjectionsAsync();

        Assert.True(losers >= 2 * 4 * 5 * 7 - 10, $"{losers} revisions lost on a stale version");
        foreach (var organisation in organisations)
        {
            var tenant = organisation.Id.ToString();
            await using var session = Api.Store.QuerySession(tenant);
            var entries = await session.Query<FeedEntry>().OrderBy(e => e.Id).ToListAsync();
            var events = (await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync())
                .Where(e => PublicEvents.Of(e.Data) is not null).Select(e => e.Id).ToList();
            Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Id));
            Assert.Equal(events, entries.Select(e => e.EventId));
            Assert.Equal(entries.Count, (await session.LoadAsync<FeedHead>(FeedHead.Key))!.Position);
        }
    }


    [Fact]
    public async Task a_tombstone_marten_writes_for_a_failed_transaction_is_passed_over_and_the_feed_goes_on()
    {
        // Marten fills the sequence numbers a transaction took before it failed (a client that hung up mid-write, a
        // rolled-back command) with tombstone events; the benchmark's aborted requests made some, and the feed stopped on
        // the first. Here one is appended as Marten would, between two public changes.
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = Api.Outcomes(await organisation.KeyAsync(Role.Conductor));
        var first = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "First"));
        await using (var session = Api.Store.LightweightSession(organisation.Id.ToString()))
        {
            session.Events.Append(Guid.NewGuid(), new JasperFx.Events.Tombstone());
            await session.SaveChangesAsync();
        }

        var second = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define(title: "Second"));
        await Api.WaitForProjectionsAsync();

        var feed = await Api.Events(await organisation.KeyAsync(Role.Admin)).ListEventsAsync();
        Assert.Equal([$"/outcomes/{first.Id}", $"/outcomes/{second.Id}"], feed.Items.Select(e => e.Subject));
        Assert.Equal([1L, 2L], feed.Items.Select(e => e.Position));
    }

    [Fact]
    public async Task an_append_that_commits_long_after_later_ones_is_numbered_in_its_place_never_skipped()
    {
        // On an API and database of its own: the high-water mark's evidence about live transactions is the whole
        // point here, and nothing the rest of the suite left in the shared store (its daemon's gap history, other
        // sessions) may take part in it.
        await using var api = await Api.StartFreshApiAsync();
        var organisation = await api.NewOrganisationAsync("Late");
        var tenant = organisation.Id.ToString();
        var outcomes = api.Outcomes(await organisation.KeyAsync(Role.Conductor));
        var outcome = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define());
        await api.WaitForProjectionsAsync();

        // A transaction that takes its event's sequence number now and commits seconds later, after others committed
        // higher numbers: far longer than the daemon's stale-gap wait, so only the evidence that it is alive keeps the
        // high-water mark from moving past it.
        var segmentId = Guid.NewGuid();
        await using var connection = api.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var options = Marten.Services.SessionOptions.ForTransaction(transaction);
            options.TenantId = tenant;
            await using (var late = api.Store.LightweightSession(options))
            {
                late.Events.StartStream<OrchestraApi.Segments.Segment>(segmentId, new OrchestraApi.Segments.SegmentDefined(segmentId, "Late joiners", 1_000, 10m, "EUR", 0.8m, 0.1m, "test", DateTimeOffset.UtcNow));
                await late.SaveChangesAsync();
            }

            for (var i = 0; i < 3; i++)
            {
                outcome = await outcomes.ReviseOutcomeAsync(outcome.Id, outcome.Version, new ReviseOutcomeRequest { Title = $"Meanwhile {i}" });
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            await transaction.CommitAsync();
        }

        await api.WaitForProjectionsAsync();
        await using var session = api.Store.QuerySession(tenant);
        var entries = await session.Query<FeedEntry>().OrderBy(e => e.Id).ToListAsync();
        var events = (await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync())
            .Where(e => PublicEvents.Of(e.Data) is not null).ToList();
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Id));
        Assert.Equal(events.Select(e => e.Id), entries.Select(e => e.EventId));
        var joined = Assert.Single(entries, e => e.StreamId == segmentId);
        Assert.Equal("orchestra.segment.defined.v1", joined.Type);
        Assert.All(entries.Where(e => e.StreamId == outcome.Id && e.StreamVersion > 1), e => Assert.True(e.Id > joined.Id, "a revision committed after the late append was numbered before it"));
    }
}

/// <summary>Every internal event is either in the public catalogue or named internal; public types are well formed and unique.</summary>
public sealed class PublicEventsTests
{
    private static readonly Type[] Events = [.. typeof(Program).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && OrchestraApi.Platform.Fold.HasStream(t))];

    [Fact]
    public void every_event_is_public_or_named_internal_and_public_types_are_unique_and_versioned()
    {
        var changes = Events.Where(t => !PublicEvents.Internal.Contains(t))
            .Select(t => (Event: t, Change: PublicEvents.Of(Sample(t, depth: 2))!))
            .ToList();

        Assert.True(Events.Length >= 35, $"{Events.Length} event types found");
        Assert.All(PublicEvents.Internal, t => Assert.Null(PublicEvents.Of(Sample(t, depth: 2))));
        Assert.All(changes, c => Assert.Matches("^orchestra\\.[a-z_]+\\.[a-z_]+\\.v[0-9]+$", c.Change.Type));
        Assert.All(changes, c => Assert.StartsWith("/", c.Change.Subject, StringComparison.Ordinal));
        Assert.Equal(changes.Count, changes.Select(c => c.Change.Type).Distinct().Count());
    }

    /// <summary>An instance of <paramref name="type"/> without its constructor: text fields "x", nested records filled alike.</summary>
    private static object Sample(Type type, int depth)
    {
        var sample = System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type);
        foreach (var field in type.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public))
        {
            if (field.FieldType == typeof(string))
            {
                field.SetValue(sample, "x");
            }
            else if (depth > 0 && field.FieldType is { IsClass: true, IsAbstract: false, IsArray: false } nested && !nested.IsGenericType)
            {
                field.SetValue(sample, Sample(nested, depth - 1));
            }
        }

        return sample;
    }

    [Fact]
    public void an_event_in_neither_list_is_refused_loudly_rather_than_left_out_of_the_feed()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => PublicEvents.Of(new object()));
        Assert.Contains("neither the public catalogue nor PublicEvents.Internal", refused.Message, StringComparison.Ordinal);
    }
}
