using System.Net;
using System.Net.Sockets;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.GrainDirectory;

namespace Grpo.Cluster.Tests;

/// <summary>
/// Every silo configured by UseGrpo resolves grains through Orleans' strongly consistent in-cluster directory, not the
/// eventually consistent default that can activate a grain twice after a silo dies (see SingleActivationTests).
/// </summary>
public sealed class GrainDirectoryConfigurationTests
{
    [Fact]
    public async Task A_silo_configured_by_UseGrpo_uses_the_distributed_grain_directory_as_its_default()
    {
        var options = new GrpoSiloOptions
        {
            SiloPort = FreeTcpPort(),
            GatewayPort = FreeTcpPort(),
            ClusterId = "directory-" + Guid.NewGuid().ToString("N"),
        };
        using var host = GrpoHost.CreateEmbedded(options);
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var directory = host.Services.GetKeyedService<IGrainDirectory>(GrainDirectoryAttribute.DEFAULT_GRAIN_DIRECTORY);

            Assert.NotNull(directory);
            Assert.Equal("DistributedGrainDirectory", directory.GetType().Name);
        }
        finally
        {
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
