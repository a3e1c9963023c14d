using System.Security.Cryptography;
using System.Text.Json;
using JasperFx;
using Marten;
using MediatR;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace OrchestraApi.Platform;

/// <summary>
/// Commands: the handler loads, decides and appends; this saves the session once. With an Idempotency-Key (any
/// command: creates and changes alike) the key record goes into that same session, so the events and the key commit
/// in one transaction, and a retry whose first answer was lost gets that answer instead of acting twice (or a 412).
/// Commands of one organisation that arrive together share that session and transaction (<see cref="CommitGroups"/>,
/// decision 31); each still answers for itself.
/// </summary>
public sealed class CommandPipeline<TRequest, TResponse>(IServiceProvider services, IEnumerable<ICommitObserver> observers, IOptions<JsonOptions> json, Telemetry telemetry, CommitGroups groups)
    : IPipelineBehavior<TRequest, TResponse>
    where TRequest : IRequest<TResponse>
{
    private static readonly string CommandName = typeof(TRequest).Name;

    /// <summary>Makes this command's handler for a batch's session (null: it takes no session, and always runs alone).</summary>
    private static readonly Func<IServiceProvider, IDocumentSession, IRequestHandler<TRequest, TResponse>>? HandlerInBatch =
        typeof(ICommand<TResponse>).IsAssignableFrom(typeof(TRequest)) ? Mediation.HandlerWithSession<TRequest, TResponse>() : null;

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not ICommand<TResponse>)
        {
            return await next();
        }

        using var span = Telemetry.Commands.StartActivity(CommandName);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var (response, replayed) = await HandleCommandAsync(request, next, cancellationToken);
            telemetry.CommandEnded(CommandName, replayed ? "replayed" : "succeeded", null, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception e)
        {
            telemetry.CommandEnded(CommandName, "failed", e, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    /// <summary>The command's answer, and whether it is the first answer of an earlier request with the same Idempotency-Key.</summary>
    private async Task<(TResponse Response, bool Replayed)> HandleCommandAsync(TRequest request, RequestHandlerDelegate<TResponse> next, CancellationToken cancellationToken)
    {
        if (Http?.Features.Get<InputProblems>() is { } problems)
        {
            // Values out of bounds in a body judged whole: the rules judge it too, nothing is saved, one answer names all.
            try
            {
                await next();
            }
            catch (InvalidInputException rules)
            {
                throw problems.With(rules.Errors);
            }
            catch (Exception e) when (e is NotFoundException or ForbiddenException or RuleViolationException or PreconditionFailedException)
            {
                // Bad input is answered first, as for every other body.
            }

            throw problems.With(new Dictionary<string, string[]>());
        }

        // Every command honours Idempotency-Key (a create names it; a change takes it from the request's header).
        var key = (request as IIdempotentCommand<TResponse>)?.IdempotencyKey ?? Idempotency.Key(Header(Idempotency.Header));
        if (HandlerInBatch is { } handlerInBatch && request is not ICommitsAlone && groups.Enabled && Http is { } http)
        {
            var recordId = key is null ? null : $"{typeof(TRequest).FullName}:{key}";
            var fingerprint = key is null ? "" : Fingerprint(request);
            var turn = groups.Join(TenantSessionFactory.TenantOf(http), recordId);
            switch (await turn.Started)
            {
                case IdempotencyRecord earlier:
                    return Replay(earlier, fingerprint);
                case IDocumentSession batch:
                    var response = default(TResponse)!;
                    try
                    {
                        response = await handlerInBatch(services, batch).Handle(request, CancellationToken.None);
                        turn.Ran(null, recordId is null ? null : new IdempotencyRecord(recordId, fingerprint, JsonSerializer.Serialize(response, json.Value.SerializerOptions)));
                    }
                    catch (Exception e)
                    {
                        turn.Ran(e);
                    }

                    var ended = await turn.Ended;
                    if (ended == CommandTurn.Committed)
                    {
                        return (response, false);
                    }

                    if (ended is Exception error)
                    {
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
                    }

                    break;
            }
        }

        return await AloneAsync(request, key, next, cancellationToken);
    }

    /// <summary>The command in a session of its own: its handler, then one save with its key record.</summary>
    private async Task<(TResponse Response, bool Replayed)> AloneAsync(TRequest request, string? key, RequestHandlerDelegate<TResponse> next, CancellationToken cancellationToken)
    {
        var session = services.GetRequiredService<IDocumentSession>();
        if (key is null)
        {
            var result = await next();
            await SaveAsync(session, null, cancellationToken);
            return (result, false);
        }

        var recordId = $"{typeof(TRequest).FullName}:{key}";
        var fingerprint = Fingerprint(request);
        if (await session.LoadAsync<IdempotencyRecord>(recordId, cancellationToken) is { } earlier)
        {
            return Replay(earlier, fingerprint);
        }

        try
        {
            var response = await next();
            await SaveAsync(session, new IdempotencyRecord(recordId, fingerprint, JsonSerializer.Serialize(response, json.Value.SerializerOptions)), cancellationToken);
            return (response, false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A concurrent retry with the same key may have committed first, and our attempt then failed on its effects
            // (a rule it now breaks, a unique index, the key record itself). Its events and key record committed
            // together, so if the record is there now, the retry gets the first answer; otherwise our failure stands.
            await using var fresh = services.GetRequiredService<IDocumentStore>().QuerySession(session.TenantId);
            if (await fresh.LoadAsync<IdempotencyRecord>(recordId, CancellationToken.None) is { } winner)
            {
                return Replay(winner, fingerprint);
            }

            throw;
        }
    }

    private readonly ICommitObserver[] _observers = [.. observers];

    /// <summary>The one save of a command: its events checked, the observers told before and after, the key record in the same transaction.</summary>
    private async Task SaveAsync(IDocumentSession session, IdempotencyRecord? key, CancellationToken cancellationToken)
    {
        session.EnsureEveryEventHasItsStream();
        object?[] saving = [.. _observers.Select(o => o.Saving(session))];
        if (key is not null)
        {
            session.Insert(key);
        }

        await session.SaveChangesAsync(cancellationToken);
        for (var i = 0; i < _observers.Length; i++)
        {
            _observers[i].Committed(session.TenantId, saving[i]);
        }
    }

    private HttpContext? Http => services.GetService<IHttpContextAccessor>()?.HttpContext;

    private string? Header(string name) => Http?.Request.Headers.TryGetValue(name, out var values) == true ? values.ToString() : null;

    private (TResponse, bool Replayed) Replay(IdempotencyRecord earlier, string fingerprint) =>
        earlier.Fingerprint == fingerprint
            ? (JsonSerializer.Deserialize<TResponse>(earlier.Response, json.Value.SerializerOptions)!, true)
            : throw new IdempotencyKeyReusedException();

    private string Fingerprint(TRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, json.Value.SerializerOptions)));
}

/// <summary>The first response to an idempotent create, kept per organisation under its key.</summary>
public sealed record IdempotencyRecord(string Id, string Fingerprint, string Response);
