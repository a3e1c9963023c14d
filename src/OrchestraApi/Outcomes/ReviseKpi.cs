using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Marten;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>New values for a KPI; omitted fields keep their value. The key cannot change.</summary>
/// <param name="Target">The KPI's value to reach.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviseKpiRequest(
    [property: StringLength(200, MinimumLength = 1)] string? Name = null,
    [property: StringLength(50, MinimumLength = 1)] string? Unit = null,
    [property: Range(typeof(decimal), "-1000000000000", "1000000000000")] decimal? Baseline = null,
    [property: Range(typeof(decimal), "-1000000000000", "1000000000000")] decimal? Target = null,
    KpiDirection? Direction = null)
    : IHasExample<ReviseKpiRequest>
{
    public static ReviseKpiRequest Example => new(Target: 72.5m);
}

public sealed record ReviseKpi(Guid OutcomeId, string Key, long ExpectedVersion, ReviseKpiRequest Request, string By) : ICommand<OutcomeDetails>
{
    public sealed class Handler(IDocumentSession session, TimeProvider clock) : IRequestHandler<ReviseKpi, OutcomeDetails>
    {
        public async Task<OutcomeDetails> Handle(ReviseKpi command, CancellationToken cancellationToken)
        {
            var (outcome, version) = await session.DecideAsync<Outcome>(
                command.OutcomeId, command.ExpectedVersion, o => [OutcomeRules.ReviseKpi(o, command.Key, command.Request, command.By, clock.GetUtcNow())], (o, e) => o.Evolve(e), cancellationToken);
            return OutcomeDetails.From(outcome, version);
        }
    }
}
