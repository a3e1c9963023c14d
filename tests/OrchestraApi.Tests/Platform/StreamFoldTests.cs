using System.Reflection;
using System.Runtime.CompilerServices;
using OrchestraApi.Connections;
using OrchestraApi.Kernel;
using OrchestraApi.Outcomes;
using OrchestraApi.Plans;
using OrchestraApi.Platform;

namespace OrchestraApi.Tests.Platform;

/// <summary>One fold per stream (issue 19): every event of every stream is folded by its state, and an event no fold knows fails loudly.</summary>
public sealed class StreamFoldTests
{
    private static readonly Type[] States = [.. typeof(IFold<>).Assembly.GetTypes()
        .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IFold<>) && i.GetGenericArguments()[0] == t))];

    /// <summary>
    /// Every event type marked for any stream, with its state; and every connection event, with the fold of the
    /// connection it names (connections are folded from their outcome's graph stream, not a stream of their own).
    /// </summary>
    public static TheoryData<string, string> Events()
    {
        var data = new TheoryData<string, string>();
        foreach (var state in States)
        {
            var events = state == typeof(Connection)
                ? state.Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IConnectionEvent).IsAssignableFrom(t))
                : (IReadOnlyList<Type>)typeof(Fold).GetMethod(nameof(Fold.EventsOf))!.MakeGenericMethod(state).Invoke(null, null)!;
            foreach (var e in events)
            {
                data.Add(state.Name, e.Name);
            }
        }

        return data;
    }

    [Fact]
    public void every_stream_state_is_a_fold_and_every_stream_has_events()
    {
        Assert.Equal(["Activity", "Baseline", "Connection", "ConnectionGraph", "Outcome", "OutcomeResults", "Plan", "Segment", "StatusPolicy", "Trigger", "TriggerFiring", "TriggerTask", "WebhookEndpoint"], States.Select(s => s.Name).Order());
        Assert.All(States, s => Assert.True(Events().Any(row => (string)row[0] == s.Name), $"{s.Name} has no events"));
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void every_event_of_a_stream_is_folded_by_its_state(string stateName, string eventName)
    {
        var state = States.Single(s => s.Name == stateName);
        var type = state.Assembly.GetTypes().Single(t => t.Name == eventName && t.IsClass);
        var e = RuntimeHelpers.GetUninitializedObject(type);

        // A started state folds it, or it is the event that starts the stream. Its fields are empty here, so a handler
        // may trip over them; what must never happen is the fold not knowing the event.
        var folded = Record.Exception(() => Evolve(state, RuntimeHelpers.GetUninitializedObject(state), e));
        var started = Record.Exception(() => Start(state, e));

        Assert.False(folded is UnknownEventException && started is UnknownEventException, $"{stateName} folds no {eventName}: {folded?.Message}");
    }

    [Fact]
    public void an_event_no_fold_knows_fails_loudly_in_every_state()
    {
        Assert.All(States, state =>
        {
            var thrown = Record.Exception(() => Evolve(state, RuntimeHelpers.GetUninitializedObject(state), new Unheard()));
            Assert.IsType<UnknownEventException>(thrown);
            Assert.IsType<UnknownEventException>(Record.Exception(() => Start(state, new Unheard())));
        });
        Assert.False(Fold.HasStream(typeof(Unheard)));
    }

    [Fact]
    public void many_streams_fold_each_by_its_own_state_with_its_version_and_an_event_of_no_stream_fails_loudly()
    {
        var (outcome, plan) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var states = new StreamStates();
        states.Add(Event(outcome, 1, new OutcomeDefined(outcome, "Grow", "desc", "conductor", [], new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), new Money(1_000m, "EUR"), "admin", DateTimeOffset.UnixEpoch)));
        states.Add(Event(plan, 1, new PlanDrafted(plan, outcome, Discipline.Crm, "CRM", "Win back lapsed members", "orchestrator", new Money(500m, "EUR"), null, false, "orchestrator", DateTimeOffset.UnixEpoch)));
        states.Add(Event(outcome, 2, new OutcomeActivated(outcome, "conductor", DateTimeOffset.UnixEpoch)));

        Assert.Equal((OutcomeStatus.Active, 2L), (states.Of<Outcome>(outcome)!.Status, states.Of<Outcome>(outcome)!.Version));
        Assert.Equal(1L, Assert.Single(states.All<Plan>()).Version);
        Assert.Null(states.Of<Plan>(outcome));
        var thrown = Assert.Throws<InvalidOperationException>(() => states.Add(Event(outcome, 3, new Unheard())));
        Assert.Contains("belongs to no stream", thrown.Message, StringComparison.Ordinal);
    }

    private static JasperFx.Events.Event<T> Event<T>(Guid stream, long version, T data)
        where T : notnull => new JasperFx.Events.Event<T>(data) { StreamId = stream, Version = version };

    private static object Evolve(Type state, object on, object e) => Unwrap(() => state.GetMethod("Evolve", [typeof(object)])!.Invoke(on, [e]));

    private static object Start(Type state, object e) => Unwrap(() => state.GetMethod("Start", BindingFlags.Public | BindingFlags.Static, [typeof(object)])!.Invoke(null, [e]));

    private static object Unwrap(Func<object?> call)
    {
        try
        {
            return call()!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private sealed record Unheard;
}
