using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Platform;

public sealed class ContractTests(ApiFixture api) : ApiTest(api)
{
    private static readonly string[] CommonProblems = ["400", "401", "403"];

    private static string RepositoryFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrchestraApi.sln")))
            {
                return Path.Combine(dir.FullName, name);
            }
        }

        throw new FileNotFoundException("OrchestraApi.sln not found above the test binaries.");
    }

    [Fact]
    public async Task the_committed_openapi_json_is_byte_for_byte_what_the_api_serves()
    {
        using var http = Api.Http();

        var served = await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var committed = await File.ReadAllTextAsync(RepositoryFile("openapi.json"));

        Assert.True(
            committed == served,
            "openapi.json differs from the document the API serves. Regenerate it with `dotnet build src/OrchestraApi` (the build writes it) and commit it.");
    }

    [Fact]
    public async Task every_operation_is_named_summarised_described_and_declares_its_problems()
    {
        using var http = Api.Http();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Route: $"{op.Name.ToUpperInvariant()} {path.Name}", Op: op.Value)))
            .ToList();

        Assert.NotEmpty(operations);
        foreach (var (route, op) in operations)
        {
            Assert.True(op.TryGetProperty("operationId", out _), $"{route} has no operationId");
            Assert.True(op.TryGetProperty("summary", out _), $"{route} has no summary");
            Assert.True(op.TryGetProperty("description", out _), $"{route} has no description");
            var statuses = op.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.True(statuses.Any(s => s.StartsWith('2')), $"{route} has no success response");
            Assert.True(CommonProblems.All(statuses.Contains), $"{route} misses 400/401/403");
            if (op.TryGetProperty("requestBody", out var body))
            {
                Assert.True(body.GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _), $"{route} has no request example");
            }
        }
    }

    [Fact]
    public async Task swagger_ui_is_served()
    {
        using var http = Api.Http();

        using var response = await http.GetAsync(new Uri("/swagger/index.html", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_sdk_round_trips_enums_decimals_and_dates()
    {
        var organisation = await Api.NewOrganisationAsync();
        var outcomes = await organisation.OutcomesAsAsync(Role.Conductor);
        var precise = new KpiDefinition { Key = "equity", Name = "Customer equity", Unit = "EUR", Baseline = 123456789.123456m, Target = 987654321.987654m, Direction = KpiDirection.Up };
        var down = new KpiDefinition { Key = "cost", Name = "Cost per response", Unit = "EUR", Baseline = 0.3m, Target = 0.1m, Direction = KpiDirection.Down };
        var request = new DefineOutcomeRequest
        {
            Title = "Round trip",
            Conductor = "Ada",
            StartsOn = new DateOnly(2027, 2, 28),
            EndsOn = new DateOnly(2028, 2, 29),
            Budget = new Money { Amount = 0.001m, Currency = "KWD" },
            Kpis = [precise, down],
        };

        var defined = await outcomes.DefineOutcomeAsync(request);
        var read = await outcomes.GetOutcomeAsync(defined.Id);

        Assert.Equal(0.001m, read.Budget.Amount);
        Assert.Equal("KWD", read.Budget.Currency);
        Assert.Equal(new DateOnly(2027, 2, 28), read.StartsOn);
        Assert.Equal(new DateOnly(2028, 2, 29), read.EndsOn);
        Assert.Equal(123456789.123456m, read.Kpis[0].Baseline);
        Assert.Equal(987654321.987654m, read.Kpis[0].Target);
        Assert.Equal([KpiDirection.Up, KpiDirection.Down], read.Kpis.Select(k => k.Direction));
        Assert.Equal(OutcomeStatus.Draft, read.Status);
        Assert.Equal(TimeSpan.Zero, read.DefinedAt.Offset);
    }

    [Fact]
    public async Task the_sdk_registers_in_dependency_injection_and_calls_the_api()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Cmo);
        var services = new ServiceCollection();
        services.AddOrchestraApiClient(new Uri("http://localhost/"), key)
            .ConfigurePrimaryHttpMessageHandler(() => Api.Factory.Server.CreateHandler());
        await using var provider = services.BuildServiceProvider();

        var page = await provider.GetRequiredService<IOutcomesClient>().ListOutcomesAsync();

        Assert.Empty(page.Items);
        Assert.Null(page.NextCursor);
    }
}
