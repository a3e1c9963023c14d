using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Platform;

/// <summary>With PostgreSQL out of reach the API answers 503 with Retry-After, and recovers when it is back (issue 8, defect 5).</summary>
public sealed class DatabaseOutageTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task requests_and_readiness_answer_503_problems_while_the_database_is_unreachable_and_recover_after()
    {
        await using var proxy = new TcpProxy(new Npgsql.NpgsqlConnectionStringBuilder(Api.ConnectionString).Port);
        await using var fresh = await Api.StartFreshApiAsync(port: proxy.Port);
        var organisation = await fresh.NewOrganisationAsync();
        var outcomes = fresh.Outcomes(await organisation.KeyAsync(Role.Conductor));
        await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("Before"));

        proxy.Cut();
        var define = await Assert.ThrowsAsync<ApiException<Problem>>(() => outcomes.DefineOutcomeAsync(OutcomeSamples.Define("During")));
        var list = await Assert.ThrowsAsync<ApiException<Problem>>(() => outcomes.ListOutcomesAsync());
        using var ready = await fresh.Http().GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(503, define.StatusCode);
        Assert.Equal(503, list.StatusCode);
        Assert.True(define.Headers.TryGetValue("Retry-After", out var retryAfter) && int.Parse(retryAfter.Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("application/problem+json", ready.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").TryGetProperty("postgresql", out _));

        proxy.Restore();
        OutcomeDetails? after = null;
        for (var attempt = 0; attempt < 20 && after is null; attempt++)
        {
            try
            {
                after = await outcomes.DefineOutcomeAsync(OutcomeSamples.Define("After"));
            }
            catch (ApiException<Problem> e) when (e.StatusCode == 503)
            {
                await Task.Delay(250);
            }
        }

        Assert.NotNull(after);
        Assert.Equal(["Before", "After"], (await outcomes.ListOutcomesAsync()).Items.Select(o => o.Title));
    }

    /// <summary>Forwards a local port to PostgreSQL, so a test can pull the plug and put it back on the same port.</summary>
    private sealed class TcpProxy : IAsyncDisposable
    {
        private readonly int _target;
        private readonly List<TcpClient> _open = [];
        private TcpListener _listener;
        private CancellationTokenSource _cut = new();

        public TcpProxy(int target)
        {
            _target = target;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = AcceptAsync(_listener, _cut.Token);
        }

        public int Port { get; }

        public void Cut()
        {
            _cut.Cancel();
            _listener.Stop();
            lock (_open)
            {
                _open.ForEach(c => c.Dispose());
                _open.Clear();
            }
        }

        public void Restore()
        {
            _cut = new CancellationTokenSource();
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Start();
            _ = AcceptAsync(_listener, _cut.Token);
        }

        public ValueTask DisposeAsync()
        {
            Cut();
            _cut.Dispose();
            return ValueTask.CompletedTask;
        }

        private async Task AcceptAsync(TcpListener listener, CancellationToken cut)
        {
            while (!cut.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(cut);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, _target, cut);
                lock (_open)
                {
                    _open.Add(client);
                    _open.Add(server);
                }

                _ = PumpAsync(client.GetStream(), server.GetStream(), client, server);
                _ = PumpAsync(server.GetStream(), client.GetStream(), client, server);
            }
        }

        private static async Task PumpAsync(NetworkStream from, NetworkStream to, TcpClient a, TcpClient b)
        {
            try
            {
                await from.CopyToAsync(to);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                // The plug was pulled (or the peer left): close both sides.
            }

            a.Dispose();
            b.Dispose();
        }
    }
}
