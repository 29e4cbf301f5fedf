using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Grpo.Hosting;

/// <summary>Where the Prometheus exporter's HTTP listener serves <c>/metrics</c>, and the check that it can.</summary>
public static class PrometheusEndpoint
{
    public const string ScrapePath = "/metrics";

    /// <summary>
    /// The host part of the listener's prefix. The listener only answers requests whose Host header matches it, so
    /// "every interface" must be the wildcard rather than 0.0.0.0, which no scraper puts in its Host header.
    /// </summary>
    public static string ListenerHost(IPAddress bind)
    {
        ArgumentNullException.ThrowIfNull(bind);
        if (bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any)) return "*";
        return bind.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();
    }

    /// <summary>The address to scrape, as a client on this machine would (loopback when the listener takes every interface).</summary>
    public static Uri ScrapeUri(IPAddress bind, int port)
    {
        ArgumentNullException.ThrowIfNull(bind);
        var host = ListenerHost(bind) == "*" ? "127.0.0.1" : ListenerHost(bind);
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}{ScrapePath}"));
    }

    /// <summary>
    /// Binds and releases the address, so a taken port is reported now, naming it, instead of as a listener failure deep
    /// inside the host's start.
    /// </summary>
    /// <exception cref="MetricsEndpointUnavailableException">The port is in use or the address is not one of this machine's.</exception>
    public static void EnsureAvailable(IPAddress bind, int port)
    {
        ArgumentNullException.ThrowIfNull(bind);
        using var probe = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(bind, port));
            probe.Listen();
        }
        catch (SocketException e)
        {
            var reason = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the port is already in use",
                SocketError.AddressNotAvailable => "the address is not one of this machine's",
                SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
                _ => e.Message,
            };
            throw new MetricsEndpointUnavailableException(bind, port, reason, e);
        }
    }
}
