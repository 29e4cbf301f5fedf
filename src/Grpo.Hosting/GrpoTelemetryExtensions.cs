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
                        var host = PrometheusEndpoint.ListenerHost(options.EffectivePrometheusBind);
                        var port = options.EffectivePrometheusPort;
                        // The options' Host must be a host name, which the wildcard is not: it replaces the prefix instead.
                        listener.Host = host == "*" ? "127.0.0.1" : host;
                        listener.Port = port;
                        listener.ScrapeEndpointPath = PrometheusEndpoint.ScrapePath;
                        if (host == "*")
                        {
                            listener.ConfigureHttpListener = (_, http) =>
                            {
                                http.Prefixes.Clear();
                                http.Prefixes.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"http://*:{port}/"));
                            };
                        }
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
