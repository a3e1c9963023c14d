using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace OrchestraApi.Platform;

/// <summary>
/// After the default writer (which writes only for clients accepting JSON): a problem is JSON whatever the client
/// accepts — e.g. a live stream's client sends Accept: text/event-stream and must still read why it got a 404.
/// </summary>
public sealed class ProblemsWhateverTheAccept(Microsoft.Extensions.Options.IOptions<ProblemDetailsOptions> options, Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        options.Value.CustomizeProblemDetails?.Invoke(context);
        var problem = context.ProblemDetails;
        return new(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, "application/problem+json", context.HttpContext.RequestAborted));
    }
}
