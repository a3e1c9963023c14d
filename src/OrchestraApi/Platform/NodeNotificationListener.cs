using Npgsql;

namespace OrchestraApi.Platform;

/// <summary>
/// Listens on every <see cref="INodeNotifications"/> channel over one connection of its own, and reconnects after a
/// failure — then tells each channel it may have missed notifications meanwhile.
/// </summary>
public sealed class NodeNotificationListener(NpgsqlDataSource database, IEnumerable<INodeNotifications> channels, ILogger<NodeNotificationListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var byChannel = channels.ToDictionary(c => c.Channel);
        var reconnecting = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => byChannel.GetValueOrDefault(e.Channel)?.Heard(e.Payload);
                foreach (var channel in byChannel.Keys)
                {
                    await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (reconnecting)
                {
                    foreach (var channel in byChannel.Values)
                    {
                        channel.MayHaveMissed();
                    }

                    logger.LogInformation("Listening for other nodes' changes again.");
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
                    logger.LogWarning(e, "Lost the connection that hears other nodes' changes; retrying every 5 seconds.");
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
