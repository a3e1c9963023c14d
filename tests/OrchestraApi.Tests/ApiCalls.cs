using OrchestraApi.Sdk;

namespace OrchestraApi.Tests;

internal static class ApiCalls
{
    /// <summary>The status an SDK call ended with: 200 for success, else the problem's status.</summary>
    public static async Task<int> StatusOf(Func<Task> act)
    {
        try
        {
            await act();
            return 200;
        }
        catch (ApiException e)
        {
            return e.StatusCode;
        }
    }

    /// <summary>
    /// Sends GET <paramref name="path"/> every 10 ms while it is answered 200 (for at most 10 s): the status it ended
    /// with, and how long that took from the call — e.g. until another node hears of a key's revocation.
    /// </summary>
    public static async Task<(System.Net.HttpStatusCode Status, TimeSpan After)> UntilRefusedAsync(HttpClient http, string path)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var answer = await http.GetAsync(new Uri(path, UriKind.Relative));
            if (answer.StatusCode != System.Net.HttpStatusCode.OK || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return (answer.StatusCode, clock.Elapsed);
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Reads until the answer is there (not null), for at most <paramref name="seconds"/>; the last read otherwise fails the test.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> read, int seconds = 15)
        where T : class
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await read() is { } answer)
            {
                return answer;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"Nothing came within {seconds} s.");
            await Task.Delay(100);
        }
    }
}
