using System.Reflection;
using MediatR;

namespace OrchestraApi.Platform;

/// <summary>A use case that changes an organisation's data: the pipeline saves its session in one transaction.</summary>
public interface ICommand<out TResponse> : IRequest<TResponse>;

/// <summary>A create that names its Idempotency-Key (changes take theirs from the header, in the command pipeline).</summary>
public interface IIdempotentCommand<out TResponse> : ICommand<TResponse>
{
    string? IdempotencyKey { get; }
}

public static class Mediation
{
    /// <summary>MediatR 5.1.0 has no DI extension that restores here: register it and scan this assembly's handlers.</summary>
    public static IServiceCollection AddUseCases(this IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(provider => provider.GetRequiredService);
        services.AddScoped<IMediator, Mediator>();
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(CommandPipeline<,>));
        var handlers = Assembly.GetExecutingAssembly().GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false })
            .SelectMany(t => t.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>))
                .Select(i => (Service: i, Implementation: t)));
        foreach (var (service, implementation) in handlers)
        {
            services.AddScoped(service, implementation);
        }

        return services;
    }
}
