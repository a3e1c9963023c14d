using System.Globalization;

namespace OrchestraApi.Cluster;

/// <summary>What Linux tells about processes (/proc), and free loopback ports.</summary>
public static class ProcFs
{
    /// <summary>A VmRSS:/VmHWM: line of /proc/{pid}/status, in MB; NaN when the process is gone.</summary>
    public static double StatusMegabytes(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>CPU time (user + system) of a process and every process whose parent it is (PostgreSQL's backends).</summary>
    public static TimeSpan CpuTimeWithChildren(int pid)
    {
        var ticks = 0L;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            var fields = Stat(directory);
            if (fields is not null && (fields[0] == pid.ToString(CultureInfo.InvariantCulture) || fields[3] == pid.ToString(CultureInfo.InvariantCulture)))
            {
                ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            }
        }

        // Linux counts in USER_HZ, 100 per second on every platform .NET runs on.
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The fields of /proc/{pid}/stat with the command name (field 2, which may hold spaces) as one field.</summary>
    private static string[]? Stat(string directory)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(directory, "stat"));
            var open = text.IndexOf('(', StringComparison.Ordinal);
            var close = text.LastIndexOf(')');
            return [text[..(open - 1)], text[(open + 1)..close], .. text[(close + 2)..].Split(' ')];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
