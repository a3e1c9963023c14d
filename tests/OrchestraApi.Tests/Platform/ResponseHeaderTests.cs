using System.Net;
using System.Text;
using System.Text.Json;
using OrchestraApi.Sdk;

namespace OrchestraApi.Tests.Platform;

/// <summary>Headers on tenant data and size limits answered as problems, on real Kestrel where it matters (issue 8, defects 4 and 9).</summary>
public sealed class ResponseHeaderTests(ApiFixture api) : ApiTest(api)
{
    [Fact]
    public async Task tenant_data_is_neither_sniffed_nor_cached_and_a_missing_key_is_challenged()
    {
        var organisation = await Api.NewOrganisationAsync();
        using var http = await organisation.HttpAsAsync(Role.Cmo);
        using var anonymous = Api.Http();

        using var list = await http.GetAsync(new Uri("/outcomes", UriKind.Relative));
        using var denied = await anonymous.GetAsync(new Uri("/outcomes", UriKind.Relative));

        Assert.Equal("nosniff", list.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(list.Headers.CacheControl?.NoStore);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("ApiKey header=\"X-Api-Key\"", denied.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task swagger_ui_may_not_be_framed_or_leak_its_address_and_an_svg_answer_may_run_no_script()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var outcome = await Api.Outcomes(key).DefineOutcomeAsync(Outcomes.OutcomeSamples.Define(kpis: Outcomes.OutcomeSamples.Clv()));
        using var anonymous = Api.Http();
        using var http = Api.Http(key);

        using var page = await anonymous.GetAsync(new Uri("/swagger/index.html", UriKind.Relative));
        using var script = await anonymous.GetAsync(new Uri("/swagger/index.js", UriKind.Relative));
        using var timeline = await http.GetAsync(new Uri($"/outcomes/{outcome.Id}/timeline", UriKind.Relative));

        foreach (var answer in new[] { page, script })
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var policy = Directives(answer);
            Assert.Equal("'none'", policy["frame-ancestors"]);
            Assert.Equal("'self'", policy["script-src"]);
            Assert.Equal("no-referrer", answer.Headers.GetValues("Referrer-Policy").Single());
        }

        Assert.Equal("image/svg+xml", timeline.Content.Headers.ContentType?.MediaType);
        var picture = Directives(timeline);
        Assert.Equal("'none'", picture["default-src"]);
        Assert.Equal("'none'", picture["frame-ancestors"]);
        Assert.False(picture.ContainsKey("script-src"));
    }

    /// <summary>The Content-Security-Policy header as directive → sources.</summary>
    private static Dictionary<string, string> Directives(HttpResponseMessage response) =>
        response.Headers.GetValues("Content-Security-Policy").Single().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d.Split(' ', 2)).ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "");

    [Fact]
    public async Task on_kestrel_there_is_no_server_header_and_oversized_requests_get_problem_documents_and_change_nothing()
    {
        await using var fresh = await Api.StartFreshApiAsync(kestrel: true, settings: new Dictionary<string, string> { ["Orchestra__MaxRequestBodyBytes"] = "4096" });
        var organisation = await fresh.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        using var http = fresh.Http(key);
        var hugeTitle = new string('x', 5000);

        using var list = await http.GetAsync(new Uri("/outcomes", UriKind.Relative));
        using var body = await http.PostAsync(new Uri("/outcomes", UriKind.Relative), new StringContent($$"""{"title":"{{hugeTitle}}"}""", Encoding.UTF8, "application/json"));
        using var chunked = await http.PostAsync(new Uri("/outcomes", UriKind.Relative), new ChunkedContent($$"""{"title":"{{hugeTitle}}"}"""));
        using var url = await http.GetAsync(new Uri($"/outcomes?conductor={new string('a', 10_000)}", UriKind.Relative));
        using var headers = new HttpRequestMessage(HttpMethod.Get, "/outcomes");
        headers.Headers.Add("X-Padding", new string('p', 40_000));
        using var headerAnswer = await http.SendAsync(headers);

        Assert.False(list.Headers.Contains("Server"));
        await AssertProblemAsync(body, HttpStatusCode.RequestEntityTooLarge);
        await AssertProblemAsync(chunked, HttpStatusCode.RequestEntityTooLarge);
        await AssertProblemAsync(url, HttpStatusCode.RequestUriTooLong);
        await AssertProblemAsync(headerAnswer, HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Empty((await fresh.Outcomes(key).ListOutcomesAsync()).Items);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
    }

    /// <summary>A body without Content-Length, so only reading it finds out how big it is.</summary>
    internal sealed class ChunkedContent : HttpContent
    {
        private readonly string text;

        public ChunkedContent(string text)
        {
            this.text = text;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task a_read_with_the_current_etag_in_if_none_match_is_304_and_a_changed_resource_is_200()
    {
        var organisation = await Api.NewOrganisationAsync();
        var key = await organisation.KeyAsync(Role.Conductor);
        var outcomes = Api.Outcomes(key);
        var outcome = await outcomes.DefineOutcomeAsync(Outcomes.OutcomeSamples.Define(kpis: Outcomes.OutcomeSamples.Clv()));
        using var http = Api.Http(key);

        using var unchanged = await GetAsync(http, $"/outcomes/{outcome.Id}", $"\"{outcome.Version}\"");
        await outcomes.ActivateOutcomeAsync(outcome.Id, outcome.Version);
        using var changed = await GetAsync(http, $"/outcomes/{outcome.Id}", $"\"{outcome.Version}\"");

        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{outcome.Version}\"", unchanged.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal($"\"{outcome.Version + 1}\"", changed.Headers.ETag?.Tag);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string url, string ifNoneMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await http.SendAsync(request);
    }
}
