using System.Collections.Immutable;
using Marten;
using Npgsql;
using OrchestraApi.Platform;

namespace OrchestraApi.Status;

/// <summary>Listens on <see cref="OutcomeChanges.Channel"/> over a connection of its own, reconnecting after a failure.</summary>
public sealed class OutcomeChangeListener(NpgsqlDataSource database, OutcomeChanges changes, ILogger<OutcomeChangeListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reconnecting = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => changes.Heard(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {OutcomeChanges.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (reconnecting)
                {
                    // What other instances committed while we were away was not heard: recompute everything followed.
                    changes.Everything();
                    logger.LogInformation("Listening for other instances' changes again.");
                }

                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (!reconnecting)
                {
                    logger.LogWarning(e, "Lost the connection that hears other instances' changes; retrying every 5 seconds.");
                }

                reconnecting = true;
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
