using System.Net;

namespace OrchestraApi.Tests.Platform;

public sealed class HealthTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task liveness_answers_without_a_key()
    {
        using var http = Api.Http();

        using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task readiness_turns_healthy_once_postgresql_answers_and_the_daemon_runs()
    {
        // The reset before each test restarts the projection daemon, so readiness may take a moment: poll as a load balancer would.
        using var http = Api.Http();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                await Task.Delay(100);
            }
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
