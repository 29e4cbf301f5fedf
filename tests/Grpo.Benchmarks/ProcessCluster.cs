using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Grpo.Benchmarks;

/// <summary>
/// A cluster of grpo-silo processes on localhost clustering: one learner-only silo (the primary) and rollout-only silos,
/// each optionally pinned to a core, plus a light Orleans client in this process that reaches them through their
/// gateways. Disposing stops the client, kills the silos and deletes their folder.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);
    readonly BenchFolder folder;
    readonly List<SiloProcessHandle> silos;
    IHost? client;

    ProcessCluster(BenchFolder folder, List<SiloProcessHandle> silos)
    {
        this.folder = folder;
        this.silos = silos;
    }

    public SiloProcessHandle Learner => silos[0];
    public IReadOnlyList<SiloProcessHandle> Rollouts => silos.Skip(1).ToArray();

    public IClusterClient Client => client?.Services.GetRequiredService<IClusterClient>()
        ?? throw new InvalidOperationException("the cluster's client is not connected.");

    public string Describe() => string.Join(", ", silos.Select(silo => silo.Describe()));

    /// <param name="learnerCore">The learner silo's core, or null for any.</param>
    /// <param name="rolloutCores">One entry per rollout silo: its core, or null for any.</param>
    /// <param name="metrics">Whether every silo exports its metrics for Prometheus (see <see cref="SiloProcessHandle.MetricsPort"/>).</param>
    public static async Task<ProcessCluster> StartAsync(int? learnerCore, IReadOnlyList<int?> rolloutCores, bool metrics)
    {
        var folder = new BenchFolder();
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var learner = SiloProcessHandle.Start("learner", clusterId, primaryPort: null, learnerCore, metrics, Subfolder(folder, "learner"));
        var cluster = new ProcessCluster(folder, [learner]);
        try
        {
            // The primary first: the others find the cluster through it.
            await learner.WaitForJoinAsync();
            for (var i = 0; i < rolloutCores.Count; i++)
                cluster.silos.Add(SiloProcessHandle.Start("rollout", clusterId, learner.SiloPort, rolloutCores[i], metrics, Subfolder(folder, $"rollout{i}")));
            foreach (var silo in cluster.silos.Skip(1)) await silo.WaitForJoinAsync();
            await cluster.ConnectAsync(clusterId);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    async Task ConnectAsync(string clusterId)
    {
        var gateways = silos.Select(silo => new IPEndPoint(IPAddress.Loopback, silo.GatewayPort)).ToArray();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(orleans => orleans
            .UseStaticClustering(gateways)
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = clusterId;
            }));
        client = builder.Build();
        using var timeout = new CancellationTokenSource(ConnectTimeout);
        await client.StartAsync(timeout.Token);
    }

    /// <summary>Every silo's last output, for an error message.</summary>
    public string Logs() => string.Join(Environment.NewLine, silos.Select(silo => $"--- {silo.Describe()}{(silo.HasExited ? " (exited)" : "")} ---{Environment.NewLine}{silo.Output}"));

    static string Subfolder(BenchFolder folder, string name) => Directory.CreateDirectory(Path.Combine(folder.Path, name)).FullName;

    public async ValueTask DisposeAsync()
    {
        if (client is not null)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await client.StopAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                // The silos are killed next anyway; a client that cannot say goodbye in time changes nothing measured.
            }
            client.Dispose();
        }
        foreach (var silo in silos) await silo.DisposeAsync();
        folder.Dispose();
    }
}
