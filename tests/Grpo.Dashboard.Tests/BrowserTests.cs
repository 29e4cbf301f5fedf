using System.Net;
using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Abstractions.Grains;
using Grpo.Client.Cluster;
using Grpo.Client.Dashboard;
using Grpo.Client.Train;
using PuppeteerSharp;
using Xunit.Abstractions;

namespace Grpo.Dashboard.Tests;

/// <summary>
/// The page in a real browser while a small demo run trains on an in-process silo, as with <c>grpo train --dashboard</c>:
/// the curves grow, the samples fill in, the front page lists the run and the silo, the stop button stops the run, and an
/// unknown run id gets a page that says so. Screenshots go to <see cref="ChromiumFixture.ResultsFolder"/>.
/// </summary>
public sealed class BrowserTests(ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private const string ClusterName = "in-process";
    // The warm-up comes first: up to 600 supervised steps, about a minute and a half on an idle two-core machine.
    private static readonly TimeSpan WarmUpPatience = TimeSpan.FromMinutes(12);
    private static readonly DashboardTiming Timing = new(TimeSpan.FromMilliseconds(250), ReconnectPolicy.Default);
    private readonly string folder = Directory.CreateTempSubdirectory("grpo-dashboard-browser-").FullName;
    private EmbeddedCluster? cluster;

    /// <summary>
    /// The demo's task and model, small enough for steps well under a second on a busy machine and long enough to be
    /// stopped while it trains. A short warm-up (it ends once 35 % of its probe is right on two checks in a row) lifts the reward off zero,
    /// so the curves and the screenshot show learning rather than flat lines.
    /// </summary>
    private static RunConfig Demo => new()
    {
        Steps = 2000,
        PromptsPerStep = 4,
        GroupSize = 4,
        Task = new ComponentSpec("arithmetic").WithParameter("max_operand", 19),
        HeldOutSize = 20,
        EvalEvery = 3,
        MaxCompletionTokens = 4,
        WarmupSftSteps = 600,
        MinibatchSize = 16,
        LogSamplesEvery = 1,
        CompletionTimeoutSeconds = 60,
    };

    private IClusterClient Client => (cluster ?? throw new InvalidOperationException("the cluster has not been started")).Client;

    public async Task InitializeAsync() =>
        cluster = await EmbeddedCluster.StartAsync(Path.Combine(folder, "checkpoints"), Path.Combine(folder, "silo.log"), CancellationToken.None)
            .WaitAsync(ChromiumFixture.Patience);

    public async Task DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Page_follows_a_training_run_and_its_stop_button_stops_it()
    {
        const string runId = "browser-demo";
        var started = await Client.GetGrain<IRunGrain>(runId).StartAsync(Demo);
        Assert.NotEqual(RunState.Failed, started.State);
        await using var dashboard = await StartDashboardAsync(allowControl: true);
        await using var page = await chromium.NewPageAsync();

        await page.GoToAsync(new Uri(dashboard.Address, "runs/" + runId).ToString());
        var first = await PageConditions.WaitForNumberAsync(page, Points("reward"), points => points >= 2, "the warm-up to end and the reward chart to show two steps", WarmUpPatience);
        // Enough steps for the screenshot to show curves rather than a few dots.
        var later = await PageConditions.WaitForNumberAsync(page, Points("reward"), points => points >= first + 25, "the reward chart to grow by 25 steps");
        var reached = (await Client.GetGrain<IRunGrain>(runId).GetStatusAsync()).Step;
        Assert.True(later <= reached, $"the chart shows {later} steps but the run has done only {reached}");
        await PageConditions.WaitForNumberAsync(page, "document.querySelectorAll('#charts .u-over').length", count => count == 8, "all eight charts to be drawn");
        await PageConditions.WaitForNumberAsync(page, "document.querySelectorAll('#samples tbody tr').length", rows => rows > 0, "the samples table to fill");
        var prompt = await page.EvaluateExpressionAsync<string>("document.querySelector('#samples tbody tr td:nth-child(2)').textContent");
        Assert.Matches(@"\d+\s*[-+*]\s*\d+", prompt);
        await PageConditions.WaitForTextAsync(page, "run-state", state => state == nameof(RunState.Training), "the run to be shown training");
        await SaveScreenshotAsync(page, "dashboard-run.png", fullPage: false);

        await page.GoToAsync(dashboard.Address.ToString());
        await PageConditions.WaitForNumberAsync(page, RowsContaining("runs", runId), rows => rows == 1, "the run list to show the run");
        await PageConditions.WaitForNumberAsync(page, "document.querySelectorAll('#silos tbody tr').length", rows => rows == 1, "the silo list to show the in-process silo");
        await SaveScreenshotAsync(page, "dashboard-cluster.png");

        await page.GoToAsync(new Uri(dashboard.Address, "runs/" + runId).ToString());
        await PageConditions.WaitForTextAsync(page, "run-state", state => state == nameof(RunState.Training), "the run page to show the run training again");
        await page.ClickAsync("#stop-button");
        await PageConditions.WaitForTextAsync(page, "run-state", state => state == nameof(RunState.Stopped), "the stopped run's state to show");
        Assert.Equal(RunState.Stopped, (await Client.GetGrain<IRunGrain>(runId).GetStatusAsync()).State);
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.getElementById('stop-button').disabled"), "the stop button stays enabled for a stopped run");
        Assert.StartsWith("stop requested", await page.EvaluateExpressionAsync<string>("document.getElementById('control-message').textContent"), StringComparison.Ordinal);
        await SaveScreenshotAsync(page, "dashboard-stopped.png");
    }

    [Fact]
    public async Task Unknown_run_id_gets_a_page_that_says_so()
    {
        await using var dashboard = await StartDashboardAsync(allowControl: false);
        await using var page = await chromium.NewPageAsync();

        var response = await page.GoToAsync(new Uri(dashboard.Address, "runs/no-such-run").ToString());

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal("Unknown run", await page.EvaluateExpressionAsync<string>("document.querySelector('h1').textContent"));
        Assert.Equal(
            $"No run named 'no-such-run' on cluster '{ClusterName}'.",
            await page.EvaluateExpressionAsync<string>("document.getElementById('problem').textContent"));
        await SaveScreenshotAsync(page, "dashboard-unknown-run.png");
    }

    private Task<DashboardServer> StartDashboardAsync(bool allowControl) =>
        DashboardServer.StartAsync(
            new DashboardSettings(IPAddress.Loopback, 0, null, allowControl), new ClientDashboardSource(Client, ClusterName), CancellationToken.None, Timing);

    private static string Points(string chart) => $"Number(document.getElementById('chart-{chart}')?.dataset.points ?? 0)";

    private static string RowsContaining(string table, string text) =>
        $"[...document.querySelectorAll('#{table} tbody tr')].filter(row => row.textContent.includes('{text}')).length";

    private async Task SaveScreenshotAsync(IPage page, string name, bool fullPage = true) =>
        output.WriteLine("screenshot: " + await ChromiumFixture.SaveScreenshotAsync(page, name, fullPage));
}
