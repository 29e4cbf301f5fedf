using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpo.Abstractions.Contracts;
using Grpo.Client.Cluster;
using Grpo.Client.Dashboard;

namespace Grpo.Dashboard.Tests;

/// <summary>The dashboard's server without a browser: its event streams, token check, control endpoints and bad ids.</summary>
public sealed class DashboardServerTests
{
    // Generous: the machine running the tests may be slow and busy.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly DashboardTiming Fast = new(TimeSpan.FromMilliseconds(50), new ReconnectPolicy(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), 0));

    private static DashboardSettings OnFreePort(string? token = null, bool allowControl = false) => new(IPAddress.Loopback, 0, token, allowControl);

    private static HttpClient ClientOf(DashboardServer server) => new() { BaseAddress = server.Address, Timeout = Patience };

    [Fact]
    public async Task Run_stream_sends_the_steps_so_far_then_each_new_step()
    {
        var cluster = new FakeCluster();
        var run = cluster.Add("r1", RunState.Training);
        run.AddStep(0, 0.1f);
        run.AddStep(1, 0.2f);
        await using var server = await DashboardServer.StartAsync(OnFreePort(), cluster, CancellationToken.None, Fast);
        using var client = ClientOf(server);

        using var events = await EventStreamReader.OpenAsync(client, "/api/runs/r1/events");
        var first = await events.WaitForAsync("steps", steps => steps.GetArrayLength() > 0, Patience);
        Assert.Equal([0L, 1L], first.EnumerateArray().Select(step => step.GetProperty("step").GetInt64()));

        run.AddStep(2, 0.3f);
        run.AddSample(2, "2+2=", 1f);
        // A read publishes the status first, then the steps, then the samples.
        await events.WaitForAsync("status", status => status.GetProperty("step").GetInt64() == 3, Patience);
        var next = await events.WaitForAsync("steps", steps => steps.EnumerateArray().Any(step => step.GetProperty("step").GetInt64() == 2), Patience);
        Assert.Equal(0.3, next.EnumerateArray().Single().GetProperty("meanReward").GetDouble(), 5);
        var samples = await events.WaitForAsync("samples", list => list.GetArrayLength() > 0, Patience);
        Assert.Equal("2+2=", samples[0].GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task Every_browser_of_a_run_gets_the_same_steps_from_one_feed()
    {
        var cluster = new FakeCluster();
        var run = cluster.Add("shared", RunState.Training);
        await using var server = await DashboardServer.StartAsync(OnFreePort(), cluster, CancellationToken.None, Fast);
        using var client = ClientOf(server);
        using var one = await EventStreamReader.OpenAsync(client, "/api/runs/shared/events");
        using var two = await EventStreamReader.OpenAsync(client, "/api/runs/shared/events");

        run.AddStep(0, 0.5f);
        foreach (var events in new[] { one, two })
        {
            var steps = await events.WaitForAsync("steps", list => list.GetArrayLength() > 0, Patience);
            Assert.Equal(0, steps[0].GetProperty("step").GetInt64());
        }
    }

    [Fact]
    public async Task Stream_says_the_cluster_is_unreachable_and_then_that_it_is_back()
    {
        var cluster = new FakeCluster();
        cluster.Add("r1", RunState.Training).AddStep(0, 0.1f);
        await using var server = await DashboardServer.StartAsync(OnFreePort(), cluster, CancellationToken.None, Fast);
        using var client = ClientOf(server);
        using var events = await EventStreamReader.OpenAsync(client, "/api/runs/r1/events");
        await events.WaitForAsync("steps", list => list.GetArrayLength() > 0, Patience);

        cluster.Failure = new ClusterUnreachableException("cluster 'fake' unreachable: no gateway answered", new TimeoutException("no gateway answered"));
        var lost = await events.WaitForAsync("connection", view => !view.GetProperty("reachable").GetBoolean(), Patience);
        var message = lost.GetProperty("message").GetString()!;
        Assert.Contains("cluster 'fake' unreachable (no gateway answered)", message, StringComparison.Ordinal);
        Assert.Contains("reconnecting in", message, StringComparison.Ordinal);

        cluster.Failure = null;
        await events.WaitForAsync("connection", view => view.GetProperty("reachable").GetBoolean(), Patience);
    }

    [Fact]
    public async Task Unknown_run_gets_a_page_that_names_it()
    {
        var cluster = new FakeCluster();
        await using var server = await DashboardServer.StartAsync(OnFreePort(), cluster, CancellationToken.None, Fast);
        using var client = ClientOf(server);

        using var page = await client.GetAsync("/runs/no-such-run");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("No run named &#39;no-such-run&#39; on cluster &#39;fake&#39;.", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var stream = await client.GetAsync("/api/runs/no-such-run/events");
        Assert.Equal(HttpStatusCode.NotFound, stream.StatusCode);
    }

    [Fact]
    public async Task Known_run_gets_the_page()
    {
        var cluster = new FakeCluster();
        cluster.Add("r1", RunState.Completed);
        await using var server = await DashboardServer.StartAsync(OnFreePort(), cluster, CancellationToken.None, Fast);
        using var client = ClientOf(server);

        using var page = await client.GetAsync("/runs/r1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<script src=\"/assets/app.js\"></script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_and_chart_library_are_served_from_the_executable()
    {
        await using var server = await DashboardServer.StartAsync(OnFreePort(), new FakeCluster(), CancellationToken.None, Fast);
        using var client = ClientOf(server);

        var library = await client.GetAsync("/assets/uPlot.iife.min.js");
        Assert.Equal(HttpStatusCode.OK, library.StatusCode);
        Assert.Contains("uPlot", await library.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/assets/missing.js")).StatusCode);
    }

    [Fact]
    public async Task Token_check_refuses_a_missing_or_wrong_token_and_lets_the_right_one_through()
    {
        const string token = "0123456789abcdef0123";
        await using var server = await DashboardServer.StartAsync(OnFreePort(token), new FakeCluster(), CancellationToken.None, Fast);
        using var client = ClientOf(server);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(client, "/", new AuthenticationHeaderValue("Bearer", "wrong-token-wrong-token"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(client, "/api/events", new AuthenticationHeaderValue("Bearer", "wrong"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(client, "/", new AuthenticationHeaderValue("Bearer", token))).StatusCode);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + token));
        Assert.Equal(HttpStatusCode.OK, (await Send(client, "/", new AuthenticationHeaderValue("Basic", basic))).StatusCode);
    }

    [Fact]
    public async Task Control_endpoints_do_not_exist_without_the_flag()
    {
        var cluster = new FakeCluster();
        var run = cluster.Add("r1", RunState.Training);
        await using var server = await DashboardServer.StartAsync(OnFreePort(), cluster, CancellationToken.None, Fast);
        using var client = ClientOf(server);

        using var stop = new HttpRequestMessage(HttpMethod.Post, "/api/runs/r1/stop");
        stop.Headers.Add(DashboardServer.ControlHeader, "control");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(stop)).StatusCode);
        Assert.Equal(0, run.StopCalls);
        var info = JsonDocument.Parse(await client.GetStringAsync("/api/info")).RootElement;
        Assert.False(info.GetProperty("control").GetBoolean());
    }

    [Fact]
    public async Task Stop_with_the_flag_needs_the_control_header_then_stops_the_run()
    {
        var cluster = new FakeCluster();
        var run = cluster.Add("r1", RunState.Training);
        await using var server = await DashboardServer.StartAsync(OnFreePort(allowControl: true), cluster, CancellationToken.None, Fast);
        using var client = ClientOf(server);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/runs/r1/stop", null)).StatusCode);
        Assert.Equal(0, run.StopCalls);

        using var stop = new HttpRequestMessage(HttpMethod.Post, "/api/runs/r1/stop");
        stop.Headers.Add(DashboardServer.ControlHeader, "control");
        using var answer = await client.SendAsync(stop);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("Stopped", JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
        Assert.Equal(1, run.StopCalls);

        using var unknown = new HttpRequestMessage(HttpMethod.Post, "/api/runs/nobody/stop");
        unknown.Headers.Add(DashboardServer.ControlHeader, "control");
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(unknown)).StatusCode);
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string path, AuthenticationHeaderValue authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = authorization;
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
