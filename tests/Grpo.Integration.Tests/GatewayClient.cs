using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;

namespace Grpo.Integration.Tests;

/// <summary>
/// An Orleans client in the test process that reaches the cluster through fixed gateway ports, not through the membership
/// table: it can ask a run for its status while the cluster's database is down.
/// </summary>
public sealed class GatewayClient : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);
    private readonly IHost host;

    private GatewayClient(IHost host)
    {
        this.host = host;
    }

    public IClusterClient Client => host.Services.GetRequiredService<IClusterClient>();

    public static async Task<GatewayClient> ConnectAsync(string clusterId, IEnumerable<SiloProcess> silos)
    {
        var gateways = silos.Select(silo => new IPEndPoint(IPAddress.Loopback, silo.GatewayPort)).ToArray();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client
            .UseStaticClustering(gateways)
            .Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = clusterId;
                cluster.ServiceId = "grpo";
            }));
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        await host.StartAsync(timeout.Token);
        return new GatewayClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(timeout.Token);
        host.Dispose();
    }
}
