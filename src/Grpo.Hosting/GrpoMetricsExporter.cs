namespace Grpo.Hosting;

/// <summary>Where a silo sends the measurements of the <c>Grpo.Orleans</c> and Orleans meters.</summary>
public enum GrpoMetricsExporter
{
    /// <summary>Nowhere: the instruments still exist, for in-process listeners.</summary>
    None,
    /// <summary>Printed to standard output by the OpenTelemetry console exporter.</summary>
    Console,
    /// <summary>Sent to an OpenTelemetry collector over OTLP.</summary>
    Otlp,
    /// <summary>Served over HTTP at <c>/metrics</c> in the Prometheus text format, for a Prometheus server to scrape.</summary>
    Prometheus,
}
