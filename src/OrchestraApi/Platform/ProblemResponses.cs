using Microsoft.AspNetCore.Mvc;

namespace OrchestraApi.Platform;

public static class ProblemResponses
{
    /// <summary>Answers with a problem document where no exception is involved (limits, authentication, readiness); its type and title are its status's.</summary>
    public static Task WriteProblemAsync(this HttpContext http, int status, string detail, IDictionary<string, object?>? extensions = null)
    {
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Detail = detail };
        foreach (var (name, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[name] = value;
        }

        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }).AsTask();
    }
}
