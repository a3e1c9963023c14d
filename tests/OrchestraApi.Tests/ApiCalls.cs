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
}
