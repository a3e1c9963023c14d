using Microsoft.Extensions.DependencyInjection;

namespace OrchestraApi.Sdk;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers every OrchestraApi client (IOrganisationsClient, IOutcomesClient, IPlansClient) on one named HttpClient
    /// that calls <paramref name="baseAddress"/> with <paramref name="apiKey"/> in the X-Api-Key header.
    /// </summary>
    public static IHttpClientBuilder AddOrchestraApiClient(this IServiceCollection services, Uri baseAddress, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        const string name = "OrchestraApi";
        services.AddTransient<IOrganisationsClient>(p => new OrganisationsClient(p.GetRequiredService<IHttpClientFactory>().CreateClient(name)));
        services.AddTransient<IOutcomesClient>(p => new OutcomesClient(p.GetRequiredService<IHttpClientFactory>().CreateClient(name)));
        services.AddTransient<IPlansClient>(p => new PlansClient(p.GetRequiredService<IHttpClientFactory>().CreateClient(name)));
        return services.AddHttpClient(name, client =>
        {
            client.BaseAddress = baseAddress;
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        });
    }
}
