using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;

namespace OrchestraApi.Platform;

public static class PlatformSetup
{
    /// <summary>Everything cross-cutting: JSON rules, auth, problem details, use cases, OpenAPI, health.</summary>
    public static IServiceCollection AddPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOrchestraEdge(configuration);
        services.AddOrchestraRateLimits();
        services.AddOrchestraTelemetry(configuration);
        services.ConfigureHttpJsonOptions(o => Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddValidation();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            Complete(c.ProblemDetails);
            c.ProblemDetails.Extensions["traceId"] = Telemetry.TraceId(c.HttpContext);
            c.HttpContext.RequestServices.GetRequiredService<Telemetry>().ProblemAnswered(c.ProblemDetails.Status ?? 500, c.ProblemDetails.Extensions.TryGetValue("rule", out var rule) ? rule as string : null);
        });
        services.AddSingleton<IProblemDetailsWriter, ProblemsWhateverTheAccept>();
        services.AddSingleton<RequestValidation>();
        services.AddExceptionHandler<ProblemMapper>();
        services.AddHttpContextAccessor();
        services.AddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddSingleton<ApiKeyLookup>();
        services.AddSingleton<INodeNotifications>(provider => provider.GetRequiredService<ApiKeyLookup>());
        if (!Database.IsGeneratingOpenApiDocument)
        {
            services.AddHostedService<NodeNotificationListener>();
        }
        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        Policies.Add(services.AddAuthorizationBuilder());
        services.AddUseCases();
        services.AddSingleton<CommitGroups>();
        services.AddOrchestraOpenApi();
        services.AddOrchestraHealth();
        return services;
    }

    /// <summary>
    /// The JSON rules at the edge: enums as their exact names (as query strings bind them), strict numbers,
    /// nulls and required fields honoured.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        options.NumberHandling = JsonNumberHandling.Strict;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    /// <summary>
    /// Every problem gets its status's one type and title (<see cref="ProblemKinds"/>), and a detail, whoever wrote it. Validation names
    /// fields as C# does ("Budget.Currency"); clients know them as JSON ("budget.currency").
    /// </summary>
    private static void Complete(Microsoft.AspNetCore.Mvc.ProblemDetails problem)
    {
        var kind = ProblemKinds.Of(problem.Status ?? StatusCodes.Status500InternalServerError);
        (problem.Type, problem.Title, problem.Detail) = (kind.Type, kind.Title, problem.Detail ?? kind.Detail);
        if (problem is not HttpValidationProblemDetails validation)
        {
            return;
        }

        var errors = validation.Errors.ToList();
        validation.Errors.Clear();
        foreach (var (field, messages) in errors)
        {
            // Header names (If-Match, Idempotency-Key) keep their spelling.
            var name = field.Contains('-', StringComparison.Ordinal) ? field : string.Join('.', field.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
            validation.Errors[name] = messages;
        }
    }

    public static WebApplication UsePlatform(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseRequestLog();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseOrchestraEdge();
        app.UseAuthentication();
        app.UseOrchestraRateLimits();
        app.UseRequestLimits();
        app.UseAuthorization();
        app.UseMiddleware<RequestValidation>();
        app.MapOpenApi(OpenApi.DocumentPath).AllowAnonymous();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint(OpenApi.DocumentPath, "OrchestraApi v1");
            o.RoutePrefix = "swagger";
            o.DocumentTitle = "OrchestraApi";
            o.EnablePersistAuthorization();
            o.InjectJavascript(SwaggerUiScript.Path);
        });
        app.MapGet(SwaggerUiScript.Path, () => TypedResults.Text(SwaggerUiScript.Script, "text/javascript")).AllowAnonymous().ExcludeFromDescription();
        app.MapOrchestraHealth();
        return app;
    }
}
