using System.Security.Cryptography;

namespace OrchestraApi.Platform;

/// <summary>
/// The bootstrap admin key creates organisations and their first keys. It comes from
/// `Orchestra:BootstrapAdminKey` (at least 16 characters); without one, a random key is made once and kept in
/// `.orchestra/bootstrap-admin-key` (readable by this user only), so `dotnet run` needs no set-up.
/// </summary>
public static class BootstrapKey
{
    public const string Setting = "Orchestra:BootstrapAdminKey";

    public static void AddBootstrapAdminKey(this WebApplicationBuilder builder)
    {
        if (Database.IsGeneratingOpenApiDocument || builder.Configuration[Setting] is { Length: > 0 })
        {
            return;
        }

        var file = Path.GetFullPath(builder.Configuration["Orchestra:BootstrapAdminKeyFile"] ?? ".orchestra/bootstrap-admin-key", builder.Environment.ContentRootPath);
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, $"orch_bootstrap_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))}");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        builder.Configuration[Setting] = File.ReadAllText(file).Trim();
        builder.Services.AddHostedService(provider => new Notice(provider.GetRequiredService<ILogger<Notice>>(), file));
    }

    /// <summary>Says where the key is (never the key itself) once the API is up.</summary>
    private sealed class Notice(ILogger<Notice> logger, string file) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {
            logger.LogInformation("Bootstrap admin key is in {File}; Swagger UI is at /swagger.", file);
            return Task.CompletedTask;
        }
    }
}
