using System.Globalization;
using System.Net;
using Grpo.Hosting;
using Microsoft.Extensions.Configuration;

namespace Grpo.Silo;

/// <summary>Reads --metrics, --otlp-endpoint, --metrics-interval, --metrics-port and --metrics-bind into the silo's telemetry options.</summary>
public static class SiloTelemetrySettings
{
    /// <exception cref="SiloArgumentException">
    /// An unknown exporter, a bad address, interval or port, an endpoint without otlp, or a port or bind without prometheus.
    /// </exception>
    public static GrpoTelemetryOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var exporter = Exporter(SiloSettings.Text(configuration, SiloOption.Metrics));
        Uri? endpoint = null;
        if (SiloSettings.Text(configuration, SiloOption.OtlpEndpoint) is { } address)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https"))
                throw new SiloArgumentException($"{SiloOption.OtlpEndpoint.Display} is '{address}'; expected an address such as http://localhost:4317.");
            if (exporter != GrpoMetricsExporter.Otlp)
                throw new SiloArgumentException($"{SiloOption.OtlpEndpoint.Display} is set but {SiloOption.Metrics.Display} is not otlp; add --metrics otlp.");
        }

        var interval = TimeSpan.FromSeconds(10);
        if (SiloSettings.Text(configuration, SiloOption.MetricsInterval) is { } seconds)
        {
            if (!double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0.1 || value > 86400)
                throw new SiloArgumentException($"{SiloOption.MetricsInterval.Display} is '{seconds}'; expected seconds between 0.1 and 86400.");
            interval = TimeSpan.FromSeconds(value);
        }

        var (port, bind) = Prometheus(configuration, exporter);
        return new GrpoTelemetryOptions
        {
            Exporter = exporter, OtlpEndpoint = endpoint, ExportInterval = interval, PrometheusPort = port, PrometheusBind = bind,
        };
    }

    private static (int? Port, IPAddress? Bind) Prometheus(IConfiguration configuration, GrpoMetricsExporter exporter)
    {
        var portText = SiloSettings.Text(configuration, SiloOption.MetricsPort);
        var bindText = SiloSettings.Text(configuration, SiloOption.MetricsBind);
        if (exporter != GrpoMetricsExporter.Prometheus && (portText ?? bindText) is not null)
        {
            var given = portText is not null ? SiloOption.MetricsPort : SiloOption.MetricsBind;
            throw new SiloArgumentException($"{given.Display} is set but {SiloOption.Metrics.Display} is not prometheus; add --metrics prometheus.");
        }

        int? port = null;
        if (portText is not null)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 65535)
                throw new SiloArgumentException($"{SiloOption.MetricsPort.Display} is '{portText}'; expected a port number in 1..65535.");
            port = value;
        }

        IPAddress? bind = null;
        if (bindText is not null && !IPAddress.TryParse(bindText, out bind))
            throw new SiloArgumentException($"{SiloOption.MetricsBind.Display} is '{bindText}'; expected an IP address such as 127.0.0.1 or 0.0.0.0.");
        return (port, bind);
    }

    private static GrpoMetricsExporter Exporter(string? text) => text?.ToLowerInvariant() switch
    {
        null or "none" => GrpoMetricsExporter.None,
        "console" => GrpoMetricsExporter.Console,
        "otlp" => GrpoMetricsExporter.Otlp,
        "prometheus" => GrpoMetricsExporter.Prometheus,
        _ => throw new SiloArgumentException($"{SiloOption.Metrics.Display} is '{text}'; expected none, console, otlp or prometheus."),
    };
}
