using System.Net;

namespace Grpo.Hosting;

/// <summary>The Prometheus exporter cannot listen where it was asked to (the port is taken, or the address is not this machine's).</summary>
public sealed class MetricsEndpointUnavailableException(IPAddress bind, int port, string reason, Exception? inner = null)
    : Exception($"the Prometheus metrics endpoint cannot listen on {bind}:{port}: {reason}", inner)
{
    public IPAddress Bind { get; } = bind;

    public int Port { get; } = port;

    public string Reason { get; } = reason;
}
