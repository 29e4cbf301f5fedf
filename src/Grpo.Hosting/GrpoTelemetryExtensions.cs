using Grpo.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Grpo.Hosting;

/// <summary>
/// Exports the <c>Grpo.Orleans</c> meter (and Orleans' own) with OpenTelemetry, as the silo's options ask: pushed
/// (console, OTLP) or served for Prometheus to scrape.
/// </summary>
public static class GrpoTelemetryExtensions
{
    /// <summary>The meter Orleans records its runtime metrics on (messaging, activations, placement).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <exception cref="MetricsEndpointUnavailableException">The Prometheus exporter's port is taken or its address is not this machine's.</exception>
    public static IServiceCollection AddGrpoTelemetry(this IServiceCollection services, GrpoTelemetryOptions options, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Exporter == GrpoMetricsExporter.None) return services;
        if (options.Exporter == GrpoMetricsExporter.Prometheus)
            PrometheusEndpoint.EnsureAvailable(options.EffectivePrometheusBind, options.EffectivePrometheusPort);

        var intervalMs = (int)Math.Min(int.MaxValue, options.ExportInterval.TotalMilliseconds);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(GrpoMetrics.MeterName, OrleansMeterName);
                if (options.Exporter == GrpoMetricsExporter.Console)
                {
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = intervalMs);
                }
                else if (options.Exporter == GrpoMetricsExporter.Prometheus)
                {
                    metrics.AddPrometheusHttpListener(listener =>
                    {
                        listener.Host = PrometheusEndpoint.ListenerHost(options.EffectivePrometheusBind);
                        listener.Port = options.EffectivePrometheusPort;
                        listener.ScrapeEndpointPath = PrometheusEndpoint.ScrapePath;
                    });
                }
                else
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        if (options.OtlpEndpoint is { } endpoint) exporter.Endpoint = endpoint;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = intervalMs;
                    });
                }
            });
        return services;
    }
}
