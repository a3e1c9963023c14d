using System.Net.Http.Headers;
using OrchestraApi.Benchmarks.Scenarios;
using OrchestraApi.Sdk;

namespace OrchestraApi.Benchmarks.Harness;

/// <summary>The running API with one organisation, its keys and one active outcome to hang plans on.</summary>
public sealed class BenchmarkContext : IDisposable
{
    private readonly SocketsHttpHandler _handler = new() { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };

    private BenchmarkContext(Uri api, Guid organisationId, string adminKey, string conductorKey, string orchestratorKey, Guid outcomeId)
    {
        Api = api;
        OrganisationId = organisationId;
        AdminKey = adminKey;
        ConductorKey = conductorKey;
        OrchestratorKey = orchestratorKey;
        OutcomeId = outcomeId;
    }

    /// <summary>
    /// Settings for the API under load: 16 clients on few keys from one address send thousands of requests a second, so
    /// the budgets sit far above that, limiting still on.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> RaisedRateLimits = new Dictionary<string, string>
    {
        ["Orchestra__RateLimits__PerKeyPerSecond"] = "1000000",
        ["Orchestra__RateLimits__PerKeyBurst"] = "1000000",
        ["Orchestra__RateLimits__PerClientPerSecond"] = "1000000",
        ["Orchestra__RateLimits__PerClientBurst"] = "1000000",
    };

    public Uri Api { get; private set; }

    public Guid OrganisationId { get; }

    /// <summary>The organisation's admin: its feed and webhook endpoints.</summary>
    public string AdminKey { get; }

    public string ConductorKey { get; }

    /// <summary>A key for all four disciplines (an agency holding every one).</summary>
    public string OrchestratorKey { get; }

    /// <summary>An active outcome for 2027 with a budget no benchmark exhausts.</summary>
    public Guid OutcomeId { get; }

    public static async Task<BenchmarkContext> CreateAsync(Uri api, string bootstrapKey)
    {
        using var bootstrap = Client(api, bootstrapKey);
        var organisations = new OrganisationsClient(bootstrap);
        var organisation = await organisations.CreateOrganisationAsync(new CreateOrganisationRequest { Name = "Benchmark brand" });
        var conductor = await organisations.IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest { Name = "Benchmark conductor", Role = Role.Conductor });
        var admin = await organisations.IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest { Name = "Benchmark admin", Role = Role.Admin });
        var agency = await organisations.IssueApiKeyAsync(organisation.Id, new IssueApiKeyRequest
        {
            Name = "Benchmark agency",
            Role = Role.Agency,
            Disciplines = [Discipline.Advertising, Discipline.PublicRelations, Discipline.Digital, Discipline.Crm],
        });
        using var conductorHttp = Client(api, conductor.Key);
        var outcomes = new OutcomesClient(conductorHttp);
        var outcome = await outcomes.DefineOutcomeAsync(DefineOutcomeScenario.Request);
        await outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version);
        return new BenchmarkContext(api, organisation.Id, admin.Key, conductor.Key, agency.Key, outcome.Id);
    }

    /// <summary>After the API restarted on another port.</summary>
    public void MovedTo(Uri api) => Api = api;

    /// <summary>An HttpClient on the shared connection pool that sends <paramref name="key"/>.</summary>
    public HttpClient Http(string key)
    {
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = Api };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public PlansClient Plans() => new(Http(OrchestratorKey));

    /// <summary>What the benchmark drafts: a plan (or, with a scope, a pilot) with a budget no scenario exhausts.</summary>
    public static DraftPlanRequest PlanRequest(Guid outcomeId, Discipline discipline, string title, string? pilotScope = null) => new()
    {
        OutcomeId = outcomeId,
        Discipline = discipline,
        Title = title,
        Orchestrator = "Benchmark",
        Budget = new Money { Amount = 1_000_000m, Currency = "EUR" },
        PilotScope = pilotScope,
        AcceptOverAllocation = true,
    };

    /// <summary>
    /// A pilot with a budget no scenario exhausts, under the benchmark's outcome until it holds the most plans an
    /// outcome may (100), then under a fresh active outcome: long runs (the full mode, a soak) never meet that limit.
    /// </summary>
    public async Task<PlanDetails> NewPilotAsync(Discipline discipline, string title)
    {
        while (true)
        {
            var outcome = _pilotOutcome ?? OutcomeId;
            try
            {
                return await Plans().DraftPlanAsync(PlanRequest(outcome, discipline, title, pilotScope: title));
            }
            catch (ApiException<Problem> full) when (full.Result.Rule == "plans-per-outcome-limit")
            {
                await _rollover.WaitAsync();
                try
                {
                    if ((_pilotOutcome ?? OutcomeId) == outcome)
                    {
                        using var conductor = Http(ConductorKey);
                        var outcomes = new OutcomesClient(conductor);
                        var fresh = await outcomes.DefineOutcomeAsync(DefineOutcomeScenario.Request);
                        await outcomes.ActivateOutcomeAsync(fresh.Id, fresh.Version);
                        _pilotOutcome = fresh.Id;
                    }
                }
                finally
                {
                    _rollover.Release();
                }
            }
        }
    }

    private readonly SemaphoreSlim _rollover = new(1, 1);
    private Guid? _pilotOutcome;

    public void Dispose()
    {
        _handler.Dispose();
        _rollover.Dispose();
    }

    private static HttpClient Client(Uri api, string key)
    {
        var client = new HttpClient { BaseAddress = api };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }
}
