using Grpo.Grains.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Grpo.Hosting;

/// <summary>Exports the <c>Grpo.Orleans</c> meter (and Orleans' own) with OpenTelemetry, as the silo's options ask.</summary>
public static class GrpoTelemetryExtensions
{
    /// <summary>The meter Orleans records its runtime metrics on (messaging, activations, placement).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    public static IServiceCollection AddGrpoTelemetry(this IServiceCollection services, GrpoTelemetryOptions options, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Exporter == GrpoMetricsExporter.None) return services;

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
