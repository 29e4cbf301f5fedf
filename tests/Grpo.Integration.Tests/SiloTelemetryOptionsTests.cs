using System.Net;

namespace Grpo.Integration.Tests;

/// <summary>
/// grpo-silo's metrics and dashboard options through the real executable: bad values exit 2 naming the option; good
/// ones export Orleans' meters to the console and serve the Orleans dashboard over HTTP.
/// </summary>
public sealed class SiloTelemetryOptionsTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(45);

    [Theory]
    [InlineData(new[] { "--metrics", "graphite" }, "--metrics (GRPO_METRICS, \"Metrics\") is 'graphite'; expected none, console, otlp or prometheus.")]
    [InlineData(new[] { "--metrics", "prometheus", "--metrics-port", "0" },
        "--metrics-port (GRPO_METRICS_PORT, \"MetricsPort\") is '0'; expected a port number in 1..65535.")]
    [InlineData(new[] { "--metrics", "prometheus", "--metrics-port", "nine" },
        "--metrics-port (GRPO_METRICS_PORT, \"MetricsPort\") is 'nine'; expected a port number in 1..65535.")]
    [InlineData(new[] { "--metrics", "prometheus", "--metrics-bind", "everywhere" },
        "--metrics-bind (GRPO_METRICS_BIND, \"MetricsBind\") is 'everywhere'; expected an IP address such as 127.0.0.1 or 0.0.0.0.")]
    [InlineData(new[] { "--metrics", "console", "--metrics-port", "9464" },
        "--metrics-port (GRPO_METRICS_PORT, \"MetricsPort\") is set but --metrics (GRPO_METRICS, \"Metrics\") is not prometheus; add --metrics prometheus.")]
    [InlineData(new[] { "--metrics-bind", "0.0.0.0" },
        "--metrics-bind (GRPO_METRICS_BIND, \"MetricsBind\") is set but --metrics (GRPO_METRICS, \"Metrics\") is not prometheus; add --metrics prometheus.")]
    [InlineData(new[] { "--metrics", "prometheus", "--gateway-port", "23002", "--metrics-port", "23002" },
        "--metrics-port (GRPO_METRICS_PORT, \"MetricsPort\") is 23002, which --silo-port (GRPO_SILO_PORT, \"SiloPort\"), --gateway-port (GRPO_GATEWAY_PORT, \"GatewayPort\") or --dashboard-port (GRPO_DASHBOARD_PORT, \"DashboardPort\") already uses; pick another port.")]
    [InlineData(new[] { "--metrics", "otlp", "--otlp-endpoint", "localhost:4317" },
        "--otlp-endpoint (GRPO_OTLP_ENDPOINT, \"OtlpEndpoint\") is 'localhost:4317'; expected an address such as http://localhost:4317.")]
    [InlineData(new[] { "--otlp-endpoint", "http://collector:4317" },
        "--otlp-endpoint (GRPO_OTLP_ENDPOINT, \"OtlpEndpoint\") is set but --metrics (GRPO_METRICS, \"Metrics\") is not otlp; add --metrics otlp.")]
    [InlineData(new[] { "--metrics", "console", "--metrics-interval", "0" },
        "--metrics-interval (GRPO_METRICS_INTERVAL, \"MetricsInterval\") is '0'; expected seconds between 0.1 and 86400.")]
    [InlineData(new[] { "--metrics-interval", "soon" },
        "--metrics-interval (GRPO_METRICS_INTERVAL, \"MetricsInterval\") is 'soon'; expected seconds between 0.1 and 86400.")]
    [InlineData(new[] { "--dashboard-port", "0" }, "--dashboard-port (GRPO_DASHBOARD_PORT, \"DashboardPort\") is '0'; expected a port number in 1..65535.")]
    [InlineData(new[] { "--silo-port", "23001", "--dashboard-port", "23001" },
        "--dashboard-port (GRPO_DASHBOARD_PORT, \"DashboardPort\") is 23001, which --silo-port (GRPO_SILO_PORT, \"SiloPort\") or --gateway-port (GRPO_GATEWAY_PORT, \"GatewayPort\") already uses; pick another port.")]
    public async Task A_bad_metrics_or_dashboard_option_exits_2_with_one_line_naming_it(string[] arguments, string message)
    {
        await using var silo = SiloProcess.Start(arguments);

        Assert.Equal(2, await silo.WaitForExitAsync(ExitTimeout));
        var output = silo.Output.TrimEnd();
        Assert.DoesNotContain('\n', output);
        Assert.Equal("grpo-silo: " + message, output);
    }

    [Fact]
    public async Task The_metrics_exporter_is_chosen_from_the_environment()
    {
        await using var silo = SiloProcess.Start([], new Dictionary<string, string> { ["GRPO_METRICS"] = "statsd" });

        Assert.Equal(2, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Contains("--metrics (GRPO_METRICS, \"Metrics\") is 'statsd'", silo.Output);
    }

    [Fact]
    public async Task A_metrics_port_in_use_exits_2_naming_the_option()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var silo = SiloProcess.Start(["--metrics", "prometheus", "--metrics-port", port]);

        Assert.Equal(2, await silo.WaitForExitAsync(ExitTimeout));
        Assert.Equal(
            $"grpo-silo: --metrics-port (GRPO_METRICS_PORT, \"MetricsPort\") is {port} and --metrics-bind (GRPO_METRICS_BIND, \"MetricsBind\") is 127.0.0.1, but the port is already in use; pick another port.",
            silo.Output.TrimEnd());
    }

    [Fact]
    public async Task A_silo_with_prometheus_metrics_on_every_interface_serves_them_for_scraping()
    {
        var port = FreePort.Next();
        await using var silo = SiloProcess.Start([], new Dictionary<string, string>
        {
            ["GRPO_METRICS"] = "prometheus",
            ["GRPO_METRICS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["GRPO_METRICS_BIND"] = "0.0.0.0",
        });
        await silo.WaitForJoinAsync(TimeSpan.FromSeconds(60));

        // Orleans records its runtime metrics from the start; the rollout instruments appear once an engine serves.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var page = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!page.Contains("# TYPE orleans_", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            page = await response.Content.ReadAsStringAsync();
            if (!page.Contains("# TYPE orleans_", StringComparison.Ordinal)) await Task.Delay(200);
        }

        Assert.Contains("# TYPE orleans_", page);
        Assert.Contains("service_name=\"grpo-silo\"", page);
    }

    [Fact]
    public async Task A_silo_with_console_metrics_and_a_dashboard_exports_orleans_meters_and_serves_the_dashboard()
    {
        var dashboardPort = FreePort.Next();
        await using var silo = SiloProcess.Start(["--metrics", "console", "--metrics-interval", "0.5", "--dashboard-port", dashboardPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await silo.WaitForJoinAsync(TimeSpan.FromSeconds(60));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{dashboardPort}/"));
        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>Orleans Dashboard</title>", page);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!silo.Output.Contains("Metric Name: orleans-", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Contains("Metric Name: orleans-", silo.Output);
        Assert.Contains("service.name: grpo-silo", silo.Output);
    }
}
