using System.Collections.Concurrent;

namespace OrchestraApi.Tests.Sdk;

/// <summary>The answer to the first matching request is lost on its way back: the request itself reached the API and took effect.</summary>
internal sealed class LoseFirstAnswer(HttpMethod method, string path) : DelegatingHandler
{
    private int _lost;

    public ConcurrentQueue<string> Keys { get; } = new();

    /// <summary>The Idempotency-Key each matching request carried, in order ("" when none).</summary>
    public IReadOnlyList<string> Sent => [.. Keys];

    public int Lost => _lost;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var matches = request.Method == method && request.RequestUri!.AbsolutePath == path;
        if (matches)
        {
            Keys.Enqueue(request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : "");
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (matches && Interlocked.Exchange(ref _lost, 1) == 0)
        {
            Assert.True(response.IsSuccessStatusCode, $"the first attempt answered {response.StatusCode}");
            response.Dispose();
            throw new HttpRequestException("The connection was reset before the answer arrived.");
        }

        return response;
    }
}
