using System.Net;
using System.Net.Sockets;
using Grpo.Grains.Rollout;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grpo.Benchmarks;

/// <summary>
/// A real silo inside the benchmark process, configured by <see cref="GrpoSiloBuilderExtensions.UseGrpo"/> as a
/// grpo-silo is, on loopback ports of its own. Several of them form one cluster through the first one's endpoint.
/// </summary>
internal sealed class BenchSilo : IAsyncDisposable
{
    readonly IHost host;

    BenchSilo(IHost host, IPEndPoint endpoint)
    {
        this.host = host;
        Endpoint = endpoint;
    }

    public IPEndPoint Endpoint { get; }

    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => host.Services;

    /// <param name="checkpoints">The learner's checkpoint folder (nothing is written there unless checkpoint_every is set).</param>
    /// <param name="primary">The first silo's endpoint when this one joins an existing cluster.</param>
    /// <param name="weights">Replaces the learner as the rollout engine's weight source (rollout benchmarks without a learner).</param>
    public static async Task<BenchSilo> StartAsync(bool rollout, bool learner, string checkpoints, IPEndPoint? primary = null, IWeightSource? weights = null)
    {
        var siloPort = FreePort();
        var options = new GrpoSiloOptions
        {
            Rollout = rollout,
            Learner = learner,
            SiloPort = siloPort,
            GatewayPort = FreePort(),
            CheckpointDirectory = checkpoints,
            ClusterId = "bench",
            ServiceId = "bench",
        };
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "Grpo.Benchmarks" });
        // Orleans warns about ServerGC and silos stopping at the end of each benchmark; only errors matter here.
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId).UseGrpo(options);
            if (weights is not null) silo.Services.AddSingleton(weights);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new BenchSilo(host, new IPEndPoint(IPAddress.Loopback, siloPort));
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(stopping.Token);
        host.Dispose();
    }
}
