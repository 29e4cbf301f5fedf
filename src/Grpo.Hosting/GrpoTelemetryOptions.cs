namespace Grpo.Hosting;

/// <summary>How a silo exports its metrics; <see cref="None"/> exports nothing.</summary>
public sealed record GrpoTelemetryOptions
{
    public static GrpoTelemetryOptions None { get; } = new();

    public GrpoMetricsExporter Exporter { get; init; } = GrpoMetricsExporter.None;

    /// <summary>The collector's OTLP endpoint; null uses the exporter's default (http://localhost:4317) or OTEL_EXPORTER_OTLP_ENDPOINT.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>How often the exporter collects and sends the measurements.</summary>
    public TimeSpan ExportInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Exporter))
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(Exporter)} is {(int)Exporter}; expected none, console or otlp.", nameof(Exporter));
        if (OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(OtlpEndpoint)} is '{endpoint}'; expected an absolute http:// or https:// address.", nameof(OtlpEndpoint));
        if (OtlpEndpoint is not null && Exporter != GrpoMetricsExporter.Otlp)
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(OtlpEndpoint)} is set but the exporter is {Exporter}; it only applies to otlp.", nameof(OtlpEndpoint));
        if (ExportInterval < TimeSpan.FromMilliseconds(100))
            throw new ArgumentException($"{nameof(GrpoTelemetryOptions)}.{nameof(ExportInterval)} is {ExportInterval}; it must be at least 100 ms.", nameof(ExportInterval));
    }
}
