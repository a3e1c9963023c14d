using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Platform;

public sealed class ContractTests(ApiFixture api) : ApiTest(api)
{
    private static readonly string[] CommonProblems = ["400", "401", "403"];

    internal static string RepositoryFile(string name)
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
    public async Task every_parameter_is_described_and_every_answer_declares_its_headers_and_problem_document()
    {
        using var http = Api.Http();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var gaps = new List<string>();

        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                var route = $"{op.Name.ToUpperInvariant()} {path.Name}";
                foreach (var parameter in op.Value.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray() : default)
                {
                    if (!parameter.TryGetProperty("description", out var d) || d.GetString() is not { Length: > 10 })
                    {
                        gaps.Add($"{route}: parameter {parameter.GetProperty("name")} is not described");
                    }
                }

                foreach (var response in op.Value.GetProperty("responses").EnumerateObject())
                {
                    var headers = response.Value.TryGetProperty("headers", out var h) ? h.EnumerateObject().Select(x => x.Name).ToHashSet() : [];
                    if (response.Name[0] is '2' or '4' && !headers.Contains("RateLimit-Limit"))
                    {
                        gaps.Add($"{route} {response.Name}: no RateLimit headers");
                    }

                    if (response.Name == "201" && !headers.Contains("Location"))
                    {
                        gaps.Add($"{route} 201: no Location header");
                    }

                    if (response.Name is "429" or "503" && !headers.Contains("Retry-After"))
                    {
                        gaps.Add($"{route} {response.Name}: no Retry-After header");
                    }

                    if (response.Name[0] is '4' or '5')
                    {
                        var problem = response.Value.GetProperty("content").GetProperty("application/problem+json");
                        if (problem.GetProperty("schema").GetProperty("$ref").GetString() != "#/components/schemas/Problem" || !problem.TryGetProperty("example", out _))
                        {
                            gaps.Add($"{route} {response.Name}: not a Problem with an example");
                        }
                    }
                }

                var statuses = op.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
                if (!statuses.IsSupersetOf(["429", "500", "503"]) || (op.Value.TryGetProperty("requestBody", out _) && !statuses.IsSupersetOf(["413", "415"])))
                {
                    gaps.Add($"{route}: 413/415 (with a body), 429, 500 or 503 not declared");
                }
            }
        }

        Assert.Empty(gaps);
        var info = document.RootElement.GetProperty("info");
        Assert.Contains("Versioning", info.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.All(document.RootElement.GetProperty("tags").EnumerateArray(), t => Assert.True(t.TryGetProperty("description", out _), t.ToString()));
        Assert.DoesNotMatch(@"(?i)\bseed \d", document.RootElement.ToString());
    }

    [Fact]
    public async Task every_property_of_every_schema_is_described_and_every_change_accepts_an_idempotency_key()
    {
        using var http = Api.Http();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var undescribed = document.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .SelectMany(schema => schema.Value.TryGetProperty("properties", out var properties)
                ? properties.EnumerateObject().Where(p => !p.Value.TryGetProperty("description", out var d) || d.GetString() is not { Length: > 0 }).Select(p => $"{schema.Name}.{p.Name}")
                : [])
            .ToList();
        var changes = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(op => op.Name is "post" or "patch" or "put" or "delete").Select(op => (Route: $"{op.Name} {path.Name}", Op: op.Value)))
            .ToList();

        var operations = document.RootElement.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject().Select(op => (Route: $"{op.Name} {path.Name}", Op: op.Value))).ToList();
        Assert.All(operations, o =>
        {
            var problems = o.Op.GetProperty("responses").EnumerateObject().Select(r => r.Name).Where(s => s[0] is '4' or '5').ToList();
            var description = o.Op.GetProperty("description").GetString()!;
            var listed = description[(description.LastIndexOf("Problems: ", StringComparison.Ordinal) + 10)..];
            Assert.All(problems, p => Assert.Contains($"{p} ", listed, StringComparison.Ordinal));
        });
        Assert.Empty(undescribed);
        Assert.True(changes.Count > 30, $"only {changes.Count} changing operations");
        // A dry run is a POST only for its body: it changes nothing, so there is nothing a retry could apply twice.
        changes.RemoveAll(c => c.Route == "post /triggers/dry-run");
        Assert.All(changes, c => Assert.True(
            c.Op.GetProperty("parameters").EnumerateArray().Any(p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header"),
            $"{c.Route} does not accept Idempotency-Key"));
    }

    [Fact]
    public async Task a_newcomer_reads_the_calls_in_order_with_tags_in_the_order_of_the_work()
    {
        using var http = Api.Http();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var root = document.RootElement;
        var description = root.GetProperty("info").GetProperty("description").GetString()!;
        var stream = root.GetProperty("paths").GetProperty("/outcomes/{outcomeId}/status/stream").GetProperty("get").GetProperty("description").GetString()!;

        var start = description.IndexOf("Getting started", StringComparison.Ordinal);
        Assert.True(start >= 0, "no getting-started path in info.description");
        string[] calls =
        [
            "`POST /organisations`", "`POST /organisations/{organisationId}/api-keys`", "`POST /outcomes`", "`POST /outcomes/{outcomeId}/activate`", "`POST /plans`",
            "`POST /plans/{planId}/activities`", "`POST /plans/{planId}/submit`", "`POST /plans/{planId}/approve`", "`POST /outcomes/{outcomeId}/connections`",
            "`POST /outcomes/{outcomeId}/results`", "`GET /outcomes/{outcomeId}/status`", "`GET /portfolio`",
        ];
        var positions = calls.Select(c => description.IndexOf(c, start, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(["Organisations", "Outcomes", "Plans", "Connections", "Results", "Segments", "Status", "Baselines", "Events", "Webhooks", "Triggers", "Tasks", "Maturity"], root.GetProperty("tags").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Contains("/status/catch-up", stream, StringComparison.Ordinal);
        Assert.Contains("Live events", stream, StringComparison.Ordinal);
    }

    [Fact]
    public async Task every_json_success_answer_has_a_real_example_whose_ids_agree_with_the_request_examples()
    {
        using var http = Api.Http();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var root = document.RootElement;
        var schemas = root.GetProperty("components").GetProperty("schemas");
        var gaps = new List<string>();
        var examples = 0;

        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                foreach (var response in op.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] == '2'))
                {
                    var route = $"{op.Name.ToUpperInvariant()} {path.Name} {response.Name}";
                    if (!response.Value.TryGetProperty("content", out var content) || !content.TryGetProperty("application/json", out var json))
                    {
                        continue;
                    }

                    if (!json.TryGetProperty("example", out var example))
                    {
                        gaps.Add($"{route}: no example");
                        continue;
                    }

                    examples++;
                    gaps.AddRange(Placeholders(example, route));
                    gaps.AddRange(MissingRequired(example, json.GetProperty("schema"), schemas, route));
                }
            }
        }

        var paths = root.GetProperty("paths");
        var scheduled = paths.GetProperty("/plans/{planId}/activities").GetProperty("post").GetProperty("responses").GetProperty("201")
            .GetProperty("content").GetProperty("application/json").GetProperty("example");
        var results = paths.GetProperty("/outcomes/{outcomeId}/results").GetProperty("post").GetProperty("requestBody");
        var row = results.GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("rows")[0];
        var drafted = paths.GetProperty("/plans").GetProperty("post");

        Assert.Empty(gaps);
        Assert.True(examples > 60, $"only {examples} examples");
        Assert.Equal(scheduled.GetProperty("id").GetString(), row.GetProperty("activityId").GetString());
        Assert.Contains("\"Schedule an activity\"", results.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("answers 400", results.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            drafted.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("outcomeId").GetString(),
            drafted.GetProperty("responses").GetProperty("201").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("outcomeId").GetString());
    }

    /// <summary>Swagger UI's own placeholders ("string", its sample UUID and date) and empty text, wherever they are.</summary>
    private static IEnumerable<string> Placeholders(JsonElement value, string where) => value.ValueKind switch
    {
        JsonValueKind.Object => value.EnumerateObject().SelectMany(p => Placeholders(p.Value, $"{where}.{p.Name}")),
        JsonValueKind.Array => value.EnumerateArray().SelectMany((item, i) => Placeholders(item, $"{where}[{i}]")),
        JsonValueKind.String when value.GetString() is "" or "string" or "3fa85f64-5717-4562-b3fc-2c963f66afa6" or "2019-08-24" || value.GetString()!.StartsWith("2019-08-24T", StringComparison.Ordinal) => [$"{where}: placeholder '{value.GetString()}'"],
        _ => [],
    };

    /// <summary>Properties the schema requires that the example lacks, one level into referenced objects and list items.</summary>
    private static IEnumerable<string> MissingRequired(JsonElement example, JsonElement schema, JsonElement schemas, string where)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        if (example.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            return example.EnumerateArray().SelectMany(item => MissingRequired(item, items, schemas, $"{where}[]"));
        }

        if (example.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var missing = (schema.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()!) : [])
            .Where(name => !example.TryGetProperty(name, out _)).Select(name => $"{where}: no {name}");
        var nested = schema.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject().Where(p => example.TryGetProperty(p.Name, out _)).SelectMany(p => MissingRequired(example.GetProperty(p.Name), p.Value, schemas, $"{where}.{p.Name}"))
            : [];
        return missing.Concat(nested).ToList();
    }

    [Fact]
    public async Task every_string_array_and_integer_in_the_schemas_states_its_limit()
    {
        using var http = Api.Http();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var unbounded = new List<string>();

        void Check(string path, JsonElement schema)
        {
            var types = !schema.TryGetProperty("type", out var t) ? [] : t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()).ToArray() : [t.GetString()];
            if (types.Contains("string") && !schema.TryGetProperty("maxLength", out _) && !schema.TryGetProperty("enum", out _))
            {
                unbounded.Add(path);
            }

            if (types.Contains("array") && !schema.TryGetProperty("maxItems", out _))
            {
                unbounded.Add(path);
            }

            if (types.Contains("integer") && !(schema.TryGetProperty("minimum", out _) && schema.TryGetProperty("maximum", out _)))
            {
                unbounded.Add(path);
            }

            foreach (var property in schema.TryGetProperty("properties", out var ps) ? ps.EnumerateObject() : default)
            {
                Check($"{path}.{property.Name}", property.Value);
            }

            if (schema.TryGetProperty("items", out var items))
            {
                Check($"{path}[]", items);
            }
        }

        foreach (var schema in document.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            Check(schema.Name, schema.Value);
        }

        Assert.Empty(unbounded);
    }

    [Fact]
    public async Task a_409_example_names_its_rule_and_the_problem_schema_types_errors_rule_and_trace_id()
    {
        using var http = Api.Http();
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var example = document.RootElement.GetProperty("paths").GetProperty("/plans/{planId}/submit").GetProperty("post")
            .GetProperty("responses").GetProperty("409").GetProperty("content").GetProperty("application/problem+json").GetProperty("example");
        var problem = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("Problem").GetProperty("properties");

        Assert.Equal("plan-within-budget", example.GetProperty("rule").GetString());
        Assert.Equal(409, example.GetProperty("status").GetInt32());
        Assert.Equal("array", problem.GetProperty("errors").GetProperty("additionalProperties").GetProperty("type").GetString());
        Assert.True(problem.TryGetProperty("rule", out _));
        Assert.True(problem.TryGetProperty("traceId", out _));
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
