using System.Net;
using Grpo.Abstractions.Contracts;
using Grpo.Client.Cluster;
using Grpo.Client.Dashboard;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace Grpo.Dashboard.Tests;

/// <summary>
/// The page in a real browser when what feeds it goes away: a cluster that stops answering (driven through a
/// <see cref="FakeCluster"/> whose calls fail as calls to a lost cluster do) and the dashboard server itself stopping and
/// starting again. The page says so in its banner, keeps what it shows, and picks up new steps once the source is back.
/// </summary>
public sealed class BrowserReconnectTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    private static readonly DashboardTiming Fast = new(
        TimeSpan.FromMilliseconds(100), new ReconnectPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), 0));

    private const string Banner = "document.getElementById('connection')";
    private const string Points = "Number(document.getElementById('chart-reward')?.dataset.points ?? 0)";

    [Fact]
    public async Task Page_survives_the_cluster_going_away_and_shows_new_steps_once_it_is_back()
    {
        var cluster = new FakeCluster();
        var run = cluster.Add("r1", RunState.Training);
        run.AddStep(0, 0.1f);
        run.AddStep(1, 0.2f);
        await using var dashboard = await DashboardServer.StartAsync(Settings(port: 0), cluster, CancellationToken.None, Fast);
        await using var page = await chromium.NewPageAsync();
        await page.GoToAsync(new Uri(dashboard.Address, "runs/r1").ToString());
        await PageConditions.WaitForNumberAsync(page, Points, points => points == 2, "the two steps so far");

        cluster.Failure = new ClusterUnreachableException("cluster 'fake' unreachable: no gateway answered", new TimeoutException("no gateway answered"));
        var banner = await WaitForBannerAsync(page, text => text.Contains("cluster 'fake' unreachable", StringComparison.Ordinal), "the banner to say the cluster is unreachable");
        Assert.Contains("reconnecting in", banner, StringComparison.Ordinal);
        run.AddStep(2, 0.3f);
        run.AddStep(3, 0.4f);
        await SaveScreenshotAsync(page, "dashboard-cluster-away.png");

        // A page opened while the cluster is away opens all the same and waits with the others.
        await using (var late = await chromium.NewPageAsync())
        {
            var response = await late.GoToAsync(new Uri(dashboard.Address, "runs/r1").ToString());
            Assert.Equal(HttpStatusCode.OK, response.Status);
            await WaitForBannerAsync(late, text => text.Contains("unreachable", StringComparison.Ordinal), "the late page's banner to say the cluster is unreachable");
        }

        Assert.Equal(2, await page.EvaluateExpressionAsync<int>(Points));
        cluster.Failure = null;
        await PageConditions.WaitForNumberAsync(page, Points, points => points == 4, "the steps made while the cluster was away");
        await PageConditions.WaitForNumberAsync(page, $"{Banner}.hidden ? 1 : 0", hidden => hidden == 1, "the banner to go once the cluster answers");
    }

    [Fact]
    public async Task Page_reconnects_to_a_dashboard_server_that_stopped_and_started_again()
    {
        var cluster = new FakeCluster();
        var run = cluster.Add("r1", RunState.Training);
        run.AddStep(0, 0.1f);
        var first = await DashboardServer.StartAsync(Settings(port: 0), cluster, CancellationToken.None, Fast);
        var address = first.Address;
        await using var page = await chromium.NewPageAsync();
        try
        {
            await page.GoToAsync(new Uri(address, "runs/r1").ToString());
            await PageConditions.WaitForNumberAsync(page, Points, points => points == 1, "the first step");
        }
        finally
        {
            await first.DisposeAsync();
        }

        await WaitForBannerAsync(page, text => text.Contains("dashboard server unreachable", StringComparison.Ordinal), "the banner to say the server is gone");
        run.AddStep(1, 0.2f);
        await SaveScreenshotAsync(page, "dashboard-server-away.png");

        // The same port again, as after restarting grpo dashboard; the browser's event stream comes back by itself.
        await using var second = await DashboardServer.StartAsync(Settings(address.Port), cluster, CancellationToken.None, Fast);
        await PageConditions.WaitForNumberAsync(page, Points, points => points == 2, "the step made while the server was away");
        await PageConditions.WaitForNumberAsync(page, $"{Banner}.hidden ? 1 : 0", hidden => hidden == 1, "the banner to go once the server answers");
    }

    private static DashboardSettings Settings(int port) => new(IPAddress.Loopback, port, null, AllowControl: false);

    private static async Task<string> WaitForBannerAsync(IPage page, Func<string, bool> condition, string what)
    {
        await PageConditions.WaitForNumberAsync(page, $"{Banner}.hidden ? 0 : 1", shown => shown == 1, what);
        return await PageConditions.WaitForTextAsync(page, "connection", condition, what);
    }

    private async Task SaveScreenshotAsync(IPage page, string name) =>
        output.WriteLine("screenshot: " + await ChromiumFixture.SaveScreenshotAsync(page, name));
}
