using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchestraApi.Sdk;
using OrchestraApi.Tests.Outcomes;

namespace OrchestraApi.Tests.Platform;

/// <summary>A stale version or a broken rule is the client's business: one Information line, no error, no stack (issue 8, defect 7).</summary>
public sealed class ProblemLoggingTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task conflicts_and_stale_versions_are_logged_once_each_without_errors_or_stack_traces()
    {
        var logs = new CapturedLogs();
        await using var fresh = await Api.StartFreshApiAsync(configure: host => host.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        var organisation = await fresh.NewOrganisationAsync();
        var conductor = await organisation.KeyAsync(Role.Conductor);
        var outcome = await fresh.Outcomes(conductor).DefineOutcomeAsync(OutcomeSamples.Define());
        using var http = fresh.Http(conductor);
        logs.Clear();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, $"/outcomes/{outcome.Id}")
            {
                Content = new StringContent($$"""{"title":"Revision {{i}}"}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("If-Match", outcome.Version().ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }));

        var stale = statuses.Count(s => s == HttpStatusCode.PreconditionFailed);
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(9, stale);
        Assert.Empty(logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Category}: {e.Message}"));
        var answered = logs.Entries.Where(e => e.Category.EndsWith("ProblemMapper", StringComparison.Ordinal)).ToList();
        Assert.Equal(stale, answered.Count);
        Assert.All(answered, e => Assert.True(e.Level == LogLevel.Information && !e.HasException, e.Message));
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyCollection<Entry> Entries => [.. _entries];

        public void Clear() => _entries.Clear();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void Dispose()
        {
        }

        public sealed record Entry(string Category, LogLevel Level, string Message, bool HasException);

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception is not null));
                }
            }
        }
    }
}
