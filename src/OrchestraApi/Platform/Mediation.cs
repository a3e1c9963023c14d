using System.Reflection;
using MediatR;

namespace OrchestraApi.Platform;

/// <summary>A use case that changes an organisation's data: the pipeline saves its session in one transaction.</summary>
public interface ICommand<out TResponse> : IRequest<TResponse>;

/// <summary>
/// A command whose handler is long (a batch of a thousand rows) or waits on the network (a webhook URL's name
/// lookup): it commits alone, because in a batch (decision 31) the commands behind it would wait its whole handler,
/// far longer than a commit of its own costs.
/// </summary>
public interface ICommitsAlone;

/// <summary>A create that names its Idempotency-Key (changes take theirs from the header, in the command pipeline).</summary>
public interface IIdempotentCommand<out TResponse> : ICommand<TResponse>
{
    string? IdempotencyKey { get; }
}

public static class Mediation
{
    /// <summary>Every use case's handler in this assembly, by the handler interface it serves.</summary>
    private static readonly Lazy<(Type Service, Type Implementation)[]> Handlers = new(() =>
    [
        .. Assembly.GetExecutingAssembly().GetTypes()
            .Where(t => t is { IsAbstract: false, IsInterface: false })
            .SelectMany(t => t.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>))
                .Select(i => (Service: i, Implementation: t))),
    ]);

    /// <summary>MediatR 5.1.0 has no DI extension that restores here: register it and scan this assembly's handlers.</summary>
    public static IServiceCollection AddUseCases(this IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(provider => provider.GetRequiredService);
        services.AddScoped<IMediator, Mediator>();
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(CommandPipeline<,>));
        foreach (var (service, implementation) in Handlers.Value)
        {
            services.AddScoped(service, implementation);
        }

        return services;
    }

    /// <summary>
    /// Makes the handler of a command for a given session (a batch's, see <see cref="CommitGroups"/>), its other
    /// dependencies from the request's services; null when its handler takes no <see cref="Marten.IDocumentSession"/>.
    /// </summary>
    public static Func<IServiceProvider, Marten.IDocumentSession, IRequestHandler<TRequest, TResponse>>? HandlerWithSession<TRequest, TResponse>()
        where TRequest : IRequest<TResponse>
    {
        var implementation = Handlers.Value.SingleOrDefault(h => h.Service == typeof(IRequestHandler<TRequest, TResponse>)).Implementation;
        if (implementation?.GetConstructors() is not [var constructor] || !constructor.GetParameters().Any(p => p.ParameterType == typeof(Marten.IDocumentSession)))
        {
            return null;
        }

        var create = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateFactory(implementation, [typeof(Marten.IDocumentSession)]);
        return (services, session) => (IRequestHandler<TRequest, TResponse>)create(services, [session]);
    }
}
