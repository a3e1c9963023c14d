using System.Diagnostics;
using Npgsql;
using OrchestraApi.EmbeddedPostgres;
using OrchestraApi.Platform;

namespace OrchestraApi.Tests.Platform;

/// <summary>The embedded cluster lets in only the holder of its password, and stops with the API that runs it (issue 8, defects 2 and 8).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalPostgresTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"orchestra-local-{Guid.NewGuid():N}");

    [Fact]
    public async Task only_the_password_gets_in_over_tcp_or_the_socket_and_the_password_file_is_its_owners_alone()
    {
        await using var cluster = await LocalPostgres.StartAsync(_directory, durable: false);

        Assert.Equal(1, await ScalarAsync(cluster.ConnectionString()));
        await AssertRefusedAsync($"Host=127.0.0.1;Port={cluster.Port};Username=postgres;Database=postgres;Pooling=false");
        await AssertRefusedAsync($"Host=127.0.0.1;Port={cluster.Port};Username=postgres;Password=guess;Database=postgres;Pooling=false");
        await AssertRefusedAsync($"Host={_directory};Port={cluster.Port};Username=postgres;Database=postgres;Pooling=false");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LocalPostgres.PasswordFile(_directory)));
    }

    [Fact]
    public async Task a_cluster_initialised_with_trust_is_switched_to_its_password()
    {
        await InitialiseTheOldWayAsync();

        await using var cluster = await LocalPostgres.StartAsync(_directory, durable: false);

        Assert.Equal(1, await ScalarAsync(cluster.ConnectionString()));
        await AssertRefusedAsync($"Host=127.0.0.1;Port={cluster.Port};Username=postgres;Database=postgres;Pooling=false");
    }

    [Fact]
    public async Task a_cluster_orphaned_by_a_killed_api_is_taken_over_and_stopped_with_the_next_one()
    {
        var orphaned = await LocalPostgres.StartAsync(_directory, durable: false);
        await File.WriteAllTextAsync(_directory + ".owner", DeadProcessId().ToString(System.Globalization.CultureInfo.InvariantCulture));

        var next = await LocalPostgres.StartAsync(_directory, durable: false);
        Assert.Equal(orphaned.Port, next.Port);
        await next.DisposeAsync();

        Assert.False(File.Exists(Path.Combine(_directory, "postmaster.pid")), "the orphaned server still runs");
    }

    [Fact]
    public async Task a_cluster_another_live_api_runs_is_joined_but_left_running()
    {
        await using var owner = await LocalPostgres.StartAsync(_directory, durable: false);
        using var other = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        await File.WriteAllTextAsync(_directory + ".owner", other.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var joined = await LocalPostgres.StartAsync(_directory, durable: false);
        await joined.DisposeAsync();

        Assert.Equal(1, await ScalarAsync(owner.ConnectionString()));
        other.Kill();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Whatever a test left running: stop it through a cluster object that owns it, then remove the files.
        if (File.Exists(Path.Combine(_directory, "postmaster.pid")))
        {
            File.Delete(_directory + ".owner");
            await (await LocalPostgres.StartAsync(_directory, durable: false)).DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
        File.Delete(LocalPostgres.PasswordFile(_directory));
    }

    private static async Task<int> ScalarAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }

    private static async Task AssertRefusedAsync(string connectionString)
    {
        var e = await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(connectionString));
        Assert.True(e is PostgresException { SqlState: "28P01" or "28000" } || e.Message.Contains("password", StringComparison.OrdinalIgnoreCase), e.Message);
    }

    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true"))!;
        process.WaitForExit();
        return process.Id;
    }

    /// <summary>What earlier versions did: initdb with trust for everyone, and no password.</summary>
    private async Task InitialiseTheOldWayAsync()
    {
        Directory.CreateDirectory(_directory);
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().Last();
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", "postgres:postgres", _directory);
        }

        string[] initdb = [Path.Combine(bin, "initdb"), "-D", _directory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"];
        await (asRoot ? RunAsync("runuser", ["-u", "postgres", "--", .. initdb]) : RunAsync(initdb[0], initdb[1..]));
    }

    private static async Task RunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
    }
}
