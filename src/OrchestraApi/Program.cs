using OrchestraApi.Baselines;
using OrchestraApi.Connections;
using OrchestraApi.EmbeddedPostgres;
using OrchestraApi.Feed;
using OrchestraApi.Maturity;
using OrchestraApi.Organisations;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;
using OrchestraApi.Results;
using OrchestraApi.Segments;
using OrchestraApi.Status;
using OrchestraApi.Tasks;
using OrchestraApi.Triggers;
using OrchestraApi.Webhooks;

try
{
    var builder = WebApplication.CreateBuilder(args);

    await builder.AddOrchestraDatabaseAsync(marten =>
    {
        marten.Schema.For<Organisation>();
        marten.Schema.For<ApiKey>();
        marten.Schema.For<IdempotencyRecord>();
        marten.AddOutcomes();
        marten.AddPlans();
        marten.AddConnections();
        marten.AddResults();
        marten.AddSegments();
        marten.AddBaselines();
        OutcomeEventIndex.Register(marten);
        marten.AddFeed();
        marten.AddWebhooks();
        marten.AddTriggers();
        marten.AddTasks();
        marten.AddStatusPolicy();
    });
    builder.AddBootstrapAdminKey();
    builder.Services.AddSingleton<ScheduleCache>();
    builder.Services.AddStatus();
    builder.Services.AddFeed();
    builder.Services.AddWebhooks();
    builder.Services.AddTriggers();
    builder.Services.AddMaturity();
    builder.Services.AddPlatform(builder.Configuration);

    var app = builder.Build();
    app.UsePlatform();

    app.MapOrganisations();
    app.MapOutcomes();
    app.MapPlans();
    app.MapConnections();
    app.MapResults();
    app.MapSegments();
    app.MapStatus();
    app.MapBaselines();
    app.MapFeed();
    app.MapWebhooks();
    app.MapTriggers();
    app.MapTasks();
    app.MapMaturity();

    await app.RunAsync();
    return 0;
}
catch (StartupFailedException e)
{
    // One clear sentence instead of a stack trace: what to install or set.
    await Console.Error.WriteLineAsync($"OrchestraApi cannot start: {e.Message}");
    return 1;
}

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
