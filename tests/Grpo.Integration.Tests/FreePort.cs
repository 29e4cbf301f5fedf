using System.Net;
using System.Net.Sockets;

namespace Grpo.Integration.Tests;

public static class FreePort
{
    /// <summary>A TCP port nothing listens on right now (the OS picks it, so parallel runs do not collide).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
