using System.Net;

namespace Grpo.Hosting;

/// <summary>How a silo exports its metrics; <see cref="None"/> exports nothing.</summary>
public sealed record GrpoTelemetryOptions
{
    public static GrpoTelemetryOptions None { get; } = new();

    /// <summary>The port Prometheus exporters conventionally use, taken when <see cref="PrometheusPort"/> is not set.</summary>
    public const int DefaultPrometheusPort = 9464;

    public GrpoMetricsExporter Exporter { get; init; } = GrpoMetricsExporter.None;

    /// <summary>The collector's OTLP endpoint; null uses the exporter's default (http://localhost:4317) or OTEL_EXPORTER_OTLP_ENDPOINT.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>How often the exporter collects and sends the measurements (console and otlp; Prometheus collects on each scrape).</summary>
    public TimeSpan ExportInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The port the Prometheus exporter serves <c>/metrics</c> on; null takes <see cref="DefaultPrometheusPort"/>.</summary>
    public int? PrometheusPort { get; init; }

    /// <summary>
    /// The address the Prometheus exporter listens on; null is loopback (127.0.0.1), so the metrics stay on the machine
    /// unless asked. <see cref="IPAddress.Any"/> listens on every interface, as a pod scraped by Prometheus needs.
    /// </summary>
    public IPAddress? PrometheusBind { get; init; }

    /// <summary>The port the Prometheus exporter listens on, once defaults are applied.</summary>
    public int EffectivePrometheusPort => PrometheusPort ?? DefaultPrometheusPort;

    /// <summary>The address the Prometheus exporter listens on, once defaults are applied.</summary>
    public IPAddress EffectivePrometheusBind => PrometheusBind ?? IPAddress.Loopback;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Exporter))
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(Exporter)} is {(int)Exporter}; expected none, console, otlp or prometheus.", nameof(Exporter));
        if (OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(OtlpEndpoint)} is '{endpoint}'; expected an absolute http:// or https:// address.", nameof(OtlpEndpoint));
        if (OtlpEndpoint is not null && Exporter != GrpoMetricsExporter.Otlp)
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(OtlpEndpoint)} is set but the exporter is {Exporter}; it only applies to otlp.", nameof(OtlpEndpoint));
        if (ExportInterval < TimeSpan.FromMilliseconds(100))
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(ExportInterval)} is {ExportInterval}; it must be at least 100 ms.", nameof(ExportInterval));
        if (PrometheusPort is { } port and (< 1 or > 65535))
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(PrometheusPort)} is {port}; expected a port number in 1..65535.", nameof(PrometheusPort));
        if (PrometheusPort is not null && Exporter != GrpoMetricsExporter.Prometheus)
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(PrometheusPort)} is set but the exporter is {Exporter}; it only applies to prometheus.", nameof(PrometheusPort));
        if (PrometheusBind is not null && Exporter != GrpoMetricsExporter.Prometheus)
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(PrometheusBind)} is set but the exporter is {Exporter}; it only applies to prometheus.", nameof(PrometheusBind));
    }
}
