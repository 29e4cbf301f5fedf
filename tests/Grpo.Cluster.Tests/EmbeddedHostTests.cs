using System.Net;
using System.Net.Sockets;
using Grpo.Grains.Placement;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Grpo.Cluster.Tests;

/// <summary>The single-process mode: one silo that holds both roles, on localhost clustering.</summary>
public sealed class EmbeddedHostTests
{
    [Fact]
    public async Task A_silo_with_both_roles_hosts_rollout_and_learner_grains()
    {
        var options = new GrpoSiloOptions
        {
            SiloPort = FreeTcpPort(),
            GatewayPort = FreeTcpPort(),
            ClusterId = "embedded-" + Guid.NewGuid().ToString("N"),
        };
        using var host = GrpoHost.CreateEmbedded(options);
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            Assert.NotNull(host.Services.GetRequiredService<IClusterClient>());
            Assert.Same(options, host.Services.GetRequiredService<GrpoSiloOptions>());

            var prefix = Guid.NewGuid().ToString("N");
            var rollout = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => grains.GetGrain<IRolloutWhereAmIGrain>($"{prefix}/{i}").SiloAddress()));
            var learner = await grains.GetGrain<ILearnerWhereAmIGrain>(prefix).SiloAddress();

            Assert.All(rollout, address => Assert.Equal(learner, address));
            var metadata = await grains.GetGrain<ILearnerWhereAmIGrain>(prefix).SiloMetadata();
            Assert.True(SiloRoles.HasRole(metadata, SiloRole.Rollout));
            Assert.True(SiloRoles.HasRole(metadata, SiloRole.Learner));
            Assert.Equal("cpu", SiloRoles.Device(metadata));
        }
        finally
        {
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public void Creating_an_embedded_host_with_invalid_options_names_the_field()
    {
        var error = Assert.Throws<ArgumentException>(() => GrpoHost.CreateEmbedded(new GrpoSiloOptions { Device = "tpu" }));
        Assert.Contains("Device", error.Message);
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
