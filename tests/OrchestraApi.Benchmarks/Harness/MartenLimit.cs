using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>
/// (c) A straightforward Marten endpoint, in its own process like (b): FetchForWriting one stream (an inline snapshot,
/// as the API keeps), append one event, SaveChanges. It shows how far the API is from plain Marten.
/// </summary>
public static class MartenLimit
{
    public static Func<int, CancellationToken, Task<bool>> Operation(HttpClient http, IReadOnlyList<Guid> streams) => async (client, ct) =>
    {
        using var response = await http.PostAsync(new Uri($"marten/{streams[client % streams.Count]}", UriKind.Relative), null, ct);
        return response.IsSuccessStatusCode;
    };

    public static async Task RunServerAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var connectionString = Environment.GetEnvironmentVariable("BENCH_DB") ?? throw new InvalidOperationException("BENCH_DB is not set.");
        builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = "bench_marten";
                options.Events.StreamIdentity = StreamIdentity.AsGuid;
                options.Events.AppendMode = EventAppendMode.Quick;
                options.Projections.Snapshot<Tally>(SnapshotLifecycle.Inline);
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup();
        var app = builder.Build();
        app.MapGet("/ready", () => Results.Ok());
        app.MapPost("/marten/{id:guid}", async (Guid id, IDocumentSession session) =>
        {
            var stream = await session.Events.FetchForWriting<Tally>(id);
            if (stream.Aggregate is null)
            {
                session.Events.StartStream<Tally>(id, new Counted(id, 1));
            }
            else
            {
                stream.AppendOne(new Counted(id, stream.Aggregate.Count + 1));
            }

            await session.SaveChangesAsync();
            return Results.Ok();
        });
        await app.RunAsync();
    }

    public sealed record Counted(Guid Id, long Count);

    public sealed record Tally(Guid Id, long Count)
    {
        public static Tally Create(Counted e) => new(e.Id, e.Count);

        public Tally Apply(Counted e) => this with { Count = e.Count };
    }
}
