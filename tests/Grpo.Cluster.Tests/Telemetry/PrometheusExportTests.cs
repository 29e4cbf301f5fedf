using System.Net;
using System.Net.Sockets;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Grpo.Cluster.Tests.Telemetry;

/// <summary>
/// The Prometheus exporter as a silo runs it (AddGrpoTelemetry), scraped over HTTP while a real rollout engine has
/// requests waiting and again once it has served them; then the autoscaler manifest checked against what was scraped.
/// </summary>
public sealed class PrometheusExportTests(PrometheusExportTests.Scraped scraped) : IClassFixture<PrometheusExportTests.Scraped>
{
    const string EngineLabel = "grpo_engine";

    /// <summary>The two scrapes of one gated rollout, made once for the tests of this class.</summary>
    public sealed class Scraped : IAsyncLifetime
    {
        public string EngineName { get; } = "prometheus-" + Guid.NewGuid().ToString("N");
        internal PrometheusScrape WhileWaiting { get; private set; } = null!;
        internal PrometheusScrape Afterwards { get; private set; } = null!;
        internal GatedRolloutScenario.Outcome Outcome { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var port = FreeLoopbackPort();
            var options = new GrpoTelemetryOptions { Exporter = GrpoMetricsExporter.Prometheus, PrometheusPort = port };
            await using var services = new ServiceCollection().AddGrpoTelemetry(options, "grpo-silo").BuildServiceProvider();
            // Building the meter provider starts the listener, as the silo's host does when it starts.
            Assert.NotNull(services.GetRequiredService<MeterProvider>());
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var uri = PrometheusEndpoint.ScrapeUri(IPAddress.Loopback, port);

            Outcome = await GatedRolloutScenario.RunAsync(EngineName,
                whileWaiting: async () => WhileWaiting = await ScrapeAsync(http, uri),
                whenServed: async () => Afterwards = await FreshScrapeAsync(http, uri, WhileWaiting));
        }

        /// <summary>
        /// A scrape made after <paramref name="earlier"/>'s content expired: the exporter answers from a cached response for
        /// a short while (300 ms by default), so on a fast machine a scrape right after the gate opens can repeat the first.
        /// </summary>
        static async Task<PrometheusScrape> FreshScrapeAsync(HttpClient http, Uri uri, PrometheusScrape earlier)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var scrape = await ScrapeAsync(http, uri);
                if (scrape.Text != earlier.Text || DateTime.UtcNow > deadline) return scrape;
                await Task.Delay(100);
            }
        }

        public Task DisposeAsync() => Task.CompletedTask;

        static async Task<PrometheusScrape> ScrapeAsync(HttpClient http, Uri uri)
        {
            using var response = await http.GetAsync(uri);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return new PrometheusScrape(await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public void The_scrape_carries_queue_depth_busy_slots_waiting_time_and_tokens_per_engine()
    {
        var engine = (EngineLabel, scraped.EngineName);

        Assert.Equal(GatedRolloutScenario.WaitingWhileGated, scraped.WhileWaiting.Value("grpo_rollout_queue_depth", engine));
        Assert.Equal(0, scraped.Afterwards.Value("grpo_rollout_queue_depth", engine));

        // The first batch holds both its slots while it waits for its weights; once served, none is busy and the capacity stays.
        Assert.Equal(GatedRolloutScenario.FirstBatch, scraped.WhileWaiting.Value("grpo_rollout_busy_slots", engine));
        Assert.Equal(GatedRolloutScenario.FirstBatch, scraped.WhileWaiting.Value("grpo_rollout_slots", engine));
        Assert.Equal(0, scraped.Afterwards.Value("grpo_rollout_busy_slots", engine));
        Assert.Equal(GatedRolloutScenario.FirstBatch, scraped.Afterwards.Value("grpo_rollout_slots", engine));

        // A counter: Prometheus' rate() over it is the silo's tokens per second.
        Assert.Contains("# TYPE grpo_rollout_tokens_total counter", scraped.Afterwards.Text);
        Assert.Equal(scraped.Outcome.Outputs.Sum(output => (double)output.Tokens.Length), scraped.Afterwards.Value("grpo_rollout_tokens_total", engine));

        // A histogram in seconds: every request admitted once, none before the weights came.
        Assert.Contains("# TYPE grpo_rollout_queue_wait_seconds histogram", scraped.Afterwards.Text);
        Assert.Equal(GatedRolloutScenario.Requests, scraped.Afterwards.Value("grpo_rollout_queue_wait_seconds_count", engine));
        Assert.True(scraped.Afterwards.Value("grpo_rollout_queue_wait_seconds_sum", engine) >= GatedRolloutScenario.Requests * (scraped.Outcome.HeldBack.TotalSeconds - 0.001));
        Assert.False(scraped.WhileWaiting.Has("grpo_rollout_queue_wait_seconds_count", engine), "nothing was admitted while the weights were held back");
    }

    [Fact]
    public void Every_series_the_autoscaler_reads_is_one_the_exporter_serves()
    {
        var manifest = AutoscalerManifest.Load();

        Assert.Equal("grpo-rollout-gpu", manifest.ScaledDeployment);
        Assert.NotEmpty(manifest.PodMetrics);
        foreach (var metric in manifest.PodMetrics)
        {
            var rule = manifest.Rules.SingleOrDefault(rule => rule.ExposedAs == metric);
            Assert.True(rule is not null, $"{AutoscalerManifest.Path}: the autoscaler asks for {metric}, which no adapter rule exposes.");
        }

        var served = scraped.Afterwards.Names;
        foreach (var rule in manifest.Rules)
        {
            Assert.NotEmpty(rule.Series);
            foreach (var series in rule.Series)
            {
                Assert.True(served.Contains(series),
                    $"{AutoscalerManifest.Path}: the rule for {rule.ExposedAs} reads {series}, which the silo does not serve (it serves {string.Join(", ", served.Where(name => name.StartsWith("grpo_", StringComparison.Ordinal)).Order())}).");
                // Per silo: the series carries the engine but no label that grows with every run.
                Assert.All(scraped.Afterwards.Samples.Where(sample => sample.Name == series), sample => Assert.DoesNotContain("grpo_run", sample.Labels.Keys));
            }
        }
    }

    [Fact]
    public void A_port_in_use_is_refused_naming_it_before_the_host_starts()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var options = new GrpoTelemetryOptions { Exporter = GrpoMetricsExporter.Prometheus, PrometheusPort = port };

        var error = Assert.Throws<MetricsEndpointUnavailableException>(() => new ServiceCollection().AddGrpoTelemetry(options, "grpo-silo"));

        Assert.Equal(port, error.Port);
        Assert.Equal(IPAddress.Loopback, error.Bind);
        Assert.Equal($"the Prometheus metrics endpoint cannot listen on 127.0.0.1:{port}: the port is already in use", error.Message);
    }

    [Fact]
    public void An_address_not_of_this_machine_is_refused()
    {
        // 192.0.2.0/24 is reserved for documentation: never a local address.
        var options = new GrpoTelemetryOptions { Exporter = GrpoMetricsExporter.Prometheus, PrometheusPort = 9464, PrometheusBind = IPAddress.Parse("192.0.2.7") };

        var error = Assert.Throws<MetricsEndpointUnavailableException>(() => new ServiceCollection().AddGrpoTelemetry(options, "grpo-silo"));

        Assert.Equal("the address is not one of this machine's", error.Reason);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("0.0.0.0", "*")]
    [InlineData("::", "*")]
    [InlineData("::1", "[::1]")]
    public void The_listener_prefix_host_takes_every_interface_as_the_wildcard(string bind, string host) =>
        Assert.Equal(host, PrometheusEndpoint.ListenerHost(IPAddress.Parse(bind)));

    static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
