using System.Globalization;
using OrchestraApi.Cluster;

// dotnet run --project tests/OrchestraApi.Cluster [-- --nodes 3] [--durable]
// Starts PostgreSQL, N API nodes and haproxy on loopback, prints where they are, and stops them on Ctrl+C.
var nodes = int.TryParse(args.SkipWhile(a => a != "--nodes").Skip(1).FirstOrDefault(), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 3;
await using var cluster = await LoopbackCluster.StartAsync(nodes, durable: args.Contains("--durable"));

Console.WriteLine($"OrchestraApi on {nodes} node(s) behind haproxy: {cluster.Proxy.Address}");
Console.WriteLine($"  Swagger UI:          {cluster.Proxy.Address}swagger");
Console.WriteLine($"  bootstrap admin key: {LoopbackCluster.BootstrapKey}");
foreach (var node in cluster.Nodes)
{
    Console.WriteLine($"  {node.Name}: {node.Address} (pid {node.ProcessId})");
}

Console.WriteLine($"  PostgreSQL:          {cluster.ConnectionString}");
Console.WriteLine($"  haproxy config:      {cluster.Proxy.ConfigFile}");
Console.WriteLine("Ctrl+C (or SIGTERM) stops them all (try `kill -9` on a node meanwhile).");

var stopped = new TaskCompletionSource();
using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
await stopped.Task;
return 0;

void Stop(System.Runtime.InteropServices.PosixSignalContext signal)
{
    signal.Cancel = true;
    stopped.TrySetResult();
}
