using System.Globalization;
using Grpo.Hosting;
using Microsoft.Extensions.Configuration;

namespace Grpo.Silo;

/// <summary>Reads --metrics, --otlp-endpoint and --metrics-interval into the silo's telemetry options.</summary>
public static class SiloTelemetrySettings
{
    /// <exception cref="SiloArgumentException">An unknown exporter, a bad address or interval, or an endpoint without otlp.</exception>
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

        return new GrpoTelemetryOptions { Exporter = exporter, OtlpEndpoint = endpoint, ExportInterval = interval };
    }

    private static GrpoMetricsExporter Exporter(string? text) => text?.ToLowerInvariant() switch
    {
        null or "none" => GrpoMetricsExporter.None,
        "console" => GrpoMetricsExporter.Console,
        "otlp" => GrpoMetricsExporter.Otlp,
        _ => throw new SiloArgumentException($"{SiloOption.Metrics.Display} is '{text}'; expected none, console or otlp."),
    };
}
