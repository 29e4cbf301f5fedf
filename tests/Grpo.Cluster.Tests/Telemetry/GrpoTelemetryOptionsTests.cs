using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Grains.Runs;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Grpo.Cluster.Tests.Telemetry;

public sealed class GrpoTelemetryOptionsTests
{
    [Fact]
    public void The_default_exports_nothing_and_registers_no_meter_provider()
    {
        var services = new ServiceCollection().AddGrpoTelemetry(GrpoTelemetryOptions.None, "grpo-silo");

        using var provider = services.BuildServiceProvider();
        Assert.Null(provider.GetService<MeterProvider>());
    }

    [Theory]
    [InlineData(GrpoMetricsExporter.Console, null)]
    [InlineData(GrpoMetricsExporter.Otlp, "http://127.0.0.1:4317")]
    public void An_exporter_registers_a_meter_provider(GrpoMetricsExporter exporter, string? endpoint)
    {
        var options = new GrpoTelemetryOptions { Exporter = exporter, OtlpEndpoint = endpoint is null ? null : new Uri(endpoint) };
        var services = new ServiceCollection().AddGrpoTelemetry(options, "grpo-silo");

        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetService<MeterProvider>());
    }

    [Theory]
    [InlineData(GrpoMetricsExporter.Otlp, "ftp://collector", 10, "OtlpEndpoint")]
    [InlineData(GrpoMetricsExporter.Console, "http://collector:4317", 10, "OtlpEndpoint")]
    [InlineData(GrpoMetricsExporter.Console, null, 0.01, "ExportInterval")]
    [InlineData((GrpoMetricsExporter)7, null, 10, "Exporter")]
    [InlineData(GrpoMetricsExporter.Prometheus, "http://collector:4317", 10, "OtlpEndpoint")]
    public void Bad_options_are_refused_naming_the_field(GrpoMetricsExporter exporter, string? endpoint, double seconds, string field)
    {
        var options = new GrpoTelemetryOptions
        {
            Exporter = exporter, OtlpEndpoint = endpoint is null ? null : new Uri(endpoint), ExportInterval = TimeSpan.FromSeconds(seconds),
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(field, error.ParamName);
        Assert.Throws<ArgumentException>(() => new GrpoSiloOptions { Telemetry = options }.Validate());
    }

    [Theory]
    [InlineData(GrpoMetricsExporter.Prometheus, 0, null, "PrometheusPort")]
    [InlineData(GrpoMetricsExporter.Prometheus, 65536, null, "PrometheusPort")]
    [InlineData(GrpoMetricsExporter.Console, 9464, null, "PrometheusPort")]
    [InlineData(GrpoMetricsExporter.Otlp, null, "0.0.0.0", "PrometheusBind")]
    public void Bad_prometheus_options_are_refused_naming_the_field(GrpoMetricsExporter exporter, int? port, string? bind, string field)
    {
        var options = new GrpoTelemetryOptions { Exporter = exporter, PrometheusPort = port, PrometheusBind = bind is null ? null : System.Net.IPAddress.Parse(bind) };

        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal(field, error.ParamName);
    }

    [Fact]
    public void The_prometheus_exporter_defaults_to_its_usual_port_on_loopback()
    {
        var options = new GrpoTelemetryOptions { Exporter = GrpoMetricsExporter.Prometheus };

        options.Validate();
        Assert.Equal(9464, options.EffectivePrometheusPort);
        Assert.Equal(System.Net.IPAddress.Loopback, options.EffectivePrometheusBind);
    }

    [Theory]
    [InlineData(0, 0, 0, 2, false)]   // log_samples_every 0 keeps nothing
    [InlineData(10, 0, 0, 2, true)]   // step 0 counts
    [InlineData(10, 0, 1, 2, true)]
    [InlineData(10, 0, 2, 2, false)]  // only the first log_samples_prompts prompts
    [InlineData(10, 5, 0, 2, false)]  // not a multiple of log_samples_every
    [InlineData(10, 20, 0, 1, true)]
    [InlineData(10, 20, 1, 1, false)]
    [InlineData(10, 21, 0, 2, false)]
    public void Samples_are_kept_for_the_first_prompts_of_every_nth_step(int every, long step, int promptIndex, int prompts, bool kept) =>
        Assert.Equal(kept, SampleLog.Keeps(new RunConfig { LogSamplesEvery = every, LogSamplesPrompts = prompts }, step, promptIndex));

    private static SampledGroup Group(long step, int prompt) => new(step, prompt, "1+1=", "2", []);

    [Fact]
    public void Appended_samples_replace_those_of_a_redone_step_and_keep_only_the_newest()
    {
        var kept = new List<SampledGroup>();
        SampleLog.Append(kept, 0, [Group(0, 1), Group(0, 0)], maxKept: 5);
        SampleLog.Append(kept, 2, [Group(2, 0), Group(2, 1)], maxKept: 5);
        SampleLog.Append(kept, 3, [], maxKept: 5);
        Assert.Equal([(0L, 0), (0L, 1), (2L, 0), (2L, 1)], kept.Select(s => (s.Step, s.PromptIndex)));

        // The learner was lost and step 2 is redone: its old samples go, the new ones come in once.
        SampleLog.Append(kept, 2, [Group(2, 0)], maxKept: 5);
        Assert.Equal([(0L, 0), (0L, 1), (2L, 0)], kept.Select(s => (s.Step, s.PromptIndex)));

        SampleLog.Append(kept, 4, [Group(4, 0), Group(4, 1), Group(4, 2)], maxKept: 5);
        Assert.Equal([(0L, 1), (2L, 0), (4L, 0), (4L, 1), (4L, 2)], kept.Select(s => (s.Step, s.PromptIndex)));
    }
}
