using OrchestraApi.Kernel;
using OrchestraApi.Organisations;
using OrchestraApi.Platform;

namespace OrchestraApi.Results;

/// <summary>Running totals of result rows: what measures are computed from, never by summing rows on read.</summary>
public sealed record Totals(long Rows, long Reached, long Impressions, long Responses, long Conversions, decimal Revenue, decimal Cost)
{
    public static readonly Totals Zero = new(0, 0, 0, 0, 0, 0m, 0m);

    /// <summary>Checked: rows and totals are bounded (<see cref="ResultRules.MaxTotal"/>), and a wrap would be a loud failure, never a wrong total.</summary>
    public Totals Add(ResultRow r, int sign) => checked(new(
        Rows + sign, Reached + (sign * r.Reached), Impressions + (sign * r.Impressions), Responses + (sign * r.Responses),
        Conversions + (sign * r.Conversions), Revenue + (sign * r.Revenue), Cost + (sign * r.Cost)));
}

/// <summary>
/// The stream of an outcome's measured facts — result batches — kept apart from its plans and activities (decision
/// 19): recording results never needs nor moves a plan's version. Its inline snapshot holds the running totals per
/// activity, plan, discipline and outcome.
/// </summary>
public sealed record OutcomeResults(
    Guid Id,
    Guid OutcomeId,
    Totals Outcome,
    IReadOnlyDictionary<Discipline, Totals> ByDiscipline,
    IReadOnlyDictionary<Guid, Totals> ByPlan,
    IReadOnlyDictionary<Guid, Totals> ByActivity,
    IReadOnlyDictionary<string, KpiTrack>? Kpis = null)
    : IFold<OutcomeResults>, IStreamVersioned
{
    /// <summary>The stream version, set by Marten.</summary>
    public long Version { get; set; }

    /// <summary>The results stream's id: derived from the outcome's.</summary>
    public static Guid IdOf(Guid outcomeId)
    {
        var bytes = outcomeId.ToByteArray(bigEndian: true);
        bytes[0] ^= 0x5A;
        bytes[15] ^= 0xC3;
        return new Guid(bytes, bigEndian: true);
    }

    public static OutcomeResults Start(object first) => first is ResultsOpened e ? Start(e) : throw new UnknownEventException(typeof(OutcomeResults), first);

    /// <summary>The one fold of the stream (see <see cref="IFold{TSelf}"/>).</summary>
    public OutcomeResults Evolve(object e) => e switch
    {
        ResultsRecorded x => On(x),
        KpiObserved x => On(x),
        _ => throw new UnknownEventException(typeof(OutcomeResults), e),
    };

    public static OutcomeResults Start(ResultsOpened e) => new(IdOf(e.OutcomeId), e.OutcomeId, Totals.Zero, new Dictionary<Discipline, Totals>(), new Dictionary<Guid, Totals>(), new Dictionary<Guid, Totals>());

    private OutcomeResults On(ResultsRecorded e)
    {
        var outcome = Outcome;
        var disciplines = new Dictionary<Discipline, Totals>(ByDiscipline);
        var plans = new Dictionary<Guid, Totals>(ByPlan);
        var activities = new Dictionary<Guid, Totals>(ByActivity);
        foreach (var (row, sign) in e.Rows.Select(r => (r, 1)).Concat(e.Superseded.Select(r => (r, -1))))
        {
            outcome = outcome.Add(row, sign);
            disciplines[row.Discipline] = disciplines.GetValueOrDefault(row.Discipline, Totals.Zero).Add(row, sign);
            plans[row.PlanId] = plans.GetValueOrDefault(row.PlanId, Totals.Zero).Add(row, sign);
            activities[row.ActivityId] = activities.GetValueOrDefault(row.ActivityId, Totals.Zero).Add(row, sign);
        }

        return this with { Outcome = outcome, ByDiscipline = disciplines, ByPlan = plans, ByActivity = activities };
    }

    private OutcomeResults On(KpiObserved e)
    {
        var kpis = new Dictionary<string, KpiTrack>(Kpis ?? new Dictionary<string, KpiTrack>());
        kpis[e.Key] = kpis.GetValueOrDefault(e.Key, KpiTrack.None).With(new ObservedValue(e.Value, e.ObservedAt));
        return this with { Kpis = kpis };
    }
}

/// <summary>A KPI value at a moment.</summary>
public sealed record ObservedValue(decimal Value, DateTimeOffset ObservedAt);

/// <summary>What progress and trend need of a KPI's observations: how many, the latest and the one before it (by observation time).</summary>
public sealed record KpiTrack(long Count, ObservedValue? Latest, ObservedValue? Previous)
{
    public static readonly KpiTrack None = new(0, null, null);

    public KpiTrack With(ObservedValue value) => (Latest, Previous) switch
    {
        (null, _) => new(Count + 1, value, null),
        ({ } latest, _) when value.ObservedAt >= latest.ObservedAt => new(Count + 1, value, latest),
        (_, null) => new(Count + 1, Latest, value),
        (_, { } previous) when value.ObservedAt >= previous.ObservedAt => new(Count + 1, Latest, value),
        _ => this with { Count = Count + 1 },
    };
}
