namespace OrchestraApi.Platform;

/// <summary>The database cannot be reached or is overloaded: 503 with Retry-After; the client may retry.</summary>
public static class DatabaseOutage
{
    public const int RetryAfterSeconds = 5;

    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }

        return false;
    }
}
