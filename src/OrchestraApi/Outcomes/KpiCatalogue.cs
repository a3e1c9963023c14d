using System.ComponentModel.DataAnnotations;
using Marten;
using Marten.Events.Projections;
using MediatR;
using OrchestraApi.Platform;

namespace OrchestraApi.Outcomes;

/// <summary>A KPI key as used across the organisation's outcomes: helps conductors reuse one definition.</summary>
public sealed record KpiUsage(string Id, string Name, string Unit, KpiDirection Direction, int Outcomes);

/// <summary>
/// Async (Solo daemon): it spans many outcome streams, and an inline multi-stream view written by two
/// concurrent sessions can lose an update.
/// </summary>
public sealed partial class KpiCatalogueProjection : MultiStreamProjection<KpiUsage, string>
{
    public KpiCatalogueProjection()
    {
        Identity<KpiAdded>(e => e.Kpi.Key);
        Identity<KpiRevised>(e => e.Kpi.Key);
    }

    public static KpiUsage Create(KpiAdded e) => new(e.Kpi.Key, e.Kpi.Name, e.Kpi.Unit, e.Kpi.Direction, 1);

    public static KpiUsage Apply(KpiAdded e, KpiUsage usage) => usage with { Outcomes = usage.Outcomes + 1 };

    public static KpiUsage Apply(KpiRevised e, KpiUsage usage) => usage with { Name = e.Kpi.Name, Unit = e.Kpi.Unit, Direction = e.Kpi.Direction };
}

/// <summary>The KPI catalogue entry clients see.</summary>
/// <param name="Outcomes">How many of the organisation's outcomes have this KPI.</param>
public sealed record KpiCatalogueEntry([property: MaxLength(200)] string Key, [property: MaxLength(200)] string Name, [property: MaxLength(50)] string Unit, KpiDirection Direction, int Outcomes);

public sealed record ListKpiCatalogue(PageRequest Page) : IRequest<Page<KpiCatalogueEntry>>
{
    public sealed class Handler(IQuerySession session) : IRequestHandler<ListKpiCatalogue, Page<KpiCatalogueEntry>>
    {
        public async Task<Page<KpiCatalogueEntry>> Handle(ListKpiCatalogue query, CancellationToken cancellationToken)
        {
            var limit = Cursor.Limit(query.Page.Limit);
            var after = query.Page.Cursor is null ? "" : Cursor.DecodeKey(query.Page.Cursor);
            var usages = await session.Query<KpiUsage>()
                .Where(u => string.Compare(u.Id, after) > 0)
                .OrderBy(u => u.Id)
                .Take(limit + 1)
                .ToListAsync(cancellationToken);
            return Cursor.Slice(usages, limit, u => Cursor.EncodeKey(u.Id), u => new KpiCatalogueEntry(u.Id, u.Name, u.Unit, u.Direction, u.Outcomes));
        }
    }
}
