using System.ComponentModel;
using System.Reflection;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Sdk;

/// <summary>What an agency sees of the SDK: names that follow one rule, one method per thing to do.</summary>
public sealed class SdkSurfaceTests
{
    private static readonly Type[] Clients = [.. typeof(IOutcomesClient).Assembly.GetTypes().Where(t => t.IsInterface && t.Name.EndsWith("Client", StringComparison.Ordinal))];

    [Fact]
    public void every_paging_helper_is_named_after_its_list_operation_with_all_after_the_verb_and_every_list_has_one()
    {
        var helpers = typeof(Paging).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name != nameof(Paging.AllAsync)).ToList();
        var lists = Clients.SelectMany(c => c.GetMethods())
            .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericArguments()[0].GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IPage<>)))
            .Select(m => m.Name).Distinct().ToList();

        Assert.All(helpers, h =>
        {
            var verb = Verb(h.Name);
            Assert.StartsWith(verb + "All", h.Name, StringComparison.Ordinal);
            Assert.Contains(verb + h.Name[(verb.Length + 3)..], lists);
        });
        Assert.Equal(lists.Order(), helpers.Select(h => h.Name.Remove(Verb(h.Name).Length, 3)).Distinct().Order());
    }

    /// <summary>The leading verb of a method name: `List` of `ListAllPlansAsync`.</summary>
    private static string Verb(string name) => name[..(1 + name.Skip(1).TakeWhile(char.IsLower).Count())];

    [Fact]
    public void the_live_status_stream_has_one_method_an_agency_sees()
    {
        var visible = typeof(IStatusClient).GetMethods()
            .Where(m => m.GetParameters().Any(p => p.Name == "lastEventId"))
            .Where(m => m.ReturnType == typeof(Task<FileResponse>) || m.ReturnType == typeof(IAsyncEnumerable<StatusEvent>))
            .Where(m => m.GetCustomAttribute<EditorBrowsableAttribute>()?.State != EditorBrowsableState.Never)
            .Select(m => m.Name);

        Assert.Equal([nameof(IStatusClient.WatchOutcomeStatusAsync)], visible.Distinct());
    }
}
