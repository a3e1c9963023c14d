using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrchestraApi.Tests.Webhooks;

/// <summary>Host names the API under test may resolve, without a DNS server: localhost, and names a test maps.</summary>
public sealed class TableResolver : OrchestraApi.Webhooks.IWebhookResolver
{
    public static readonly ConcurrentDictionary<string, IPAddress[]> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["localhost"] = [IPAddress.Loopback],
    };

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        Names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound);
}

/// <summary>One webhook as a receiver got it.</summary>
public sealed record Received(string Id, string Timestamp, string Signature, string Body, HeaderDictionary Headers, DateTimeOffset At)
{
    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A real Kestrel server on 127.0.0.1 that receives webhooks: it records every request and answers what
/// <see cref="Answer"/> says (200 by default) — a status, or a delay longer than the API waits.
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private Receiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> All { get; } = new();

    /// <summary>What to answer a request: a status code, or null to hang until the sender gives up.</summary>
    public Func<Received, int?> Answer { get; set; } = _ => 200;

    public string Url => $"{_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()}/hooks";

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost("/hooks", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = new HeaderDictionary();
            foreach (var (name, value) in http.Request.Headers)
            {
                headers[name] = value;
            }

            var received = new Received(headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body, headers, DateTimeOffset.UtcNow);
            receiver.All.Enqueue(received);
            if (receiver.Answer(received) is not { } status)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Microsoft.AspNetCore.Http.Results.StatusCode(200);
            }

            return status == 429 || status == 503 ? Microsoft.AspNetCore.Http.Results.Text("slow down", statusCode: status) : Microsoft.AspNetCore.Http.Results.Text("{\"received\":true}", "application/json", statusCode: status);
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until <paramref name="done"/> holds for what was received (at most <paramref name="seconds"/>).</summary>
    public async Task<IReadOnlyList<Received>> UntilAsync(Func<IReadOnlyList<Received>, bool> done, int seconds = 30)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done([.. All]) && clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await Task.Delay(50);
        }

        return [.. All];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
