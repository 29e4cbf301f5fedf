using System.Net;
using System.Net.Sockets;

namespace Grpo.Hosting;

/// <summary>Loopback ports for the in-process silos.</summary>
public static class LocalPorts
{
    /// <summary>
    /// Two distinct ports the OS reports free right now; both listeners stay open until both are chosen so the OS
    /// cannot hand out the same port twice.
    /// </summary>
    public static (int Silo, int Gateway) FreePair()
    {
        using var silo = new TcpListener(IPAddress.Loopback, 0);
        using var gateway = new TcpListener(IPAddress.Loopback, 0);
        silo.Start();
        gateway.Start();
        return (((IPEndPoint)silo.LocalEndpoint).Port, ((IPEndPoint)gateway.LocalEndpoint).Port);
    }
}
