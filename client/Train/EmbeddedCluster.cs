using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Grpo.Client.Train;

/// <summary>The one-machine mode: a silo with both roles inside this process, on free localhost ports.</summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private readonly IHost host;
    private readonly FileLoggerProvider? log;

    private EmbeddedCluster(IHost host, FileLoggerProvider? log)
    {
        this.host = host;
        this.log = log;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public IClusterClient Client { get; }

    /// <summary>
    /// Starts a silo whose checkpoints go under <paramref name="checkpointDirectory"/>; with <paramref name="logPath"/>
    /// its log goes to that file instead of the console.
    /// </summary>
    /// <exception cref="Grpo.Hosting.Components.PluginLoadException">A plugin folder or assembly cannot be used.</exception>
    public static async Task<EmbeddedCluster> StartAsync(
        string checkpointDirectory, string? logPath, CancellationToken cancellationToken, IReadOnlyList<string>? pluginDirectories = null)
    {
        var (siloPort, gatewayPort) = FreePortPair();
        var options = new GrpoSiloOptions
        {
            Rollout = true,
            Learner = true,
            SiloPort = siloPort,
            GatewayPort = gatewayPort,
            // A cluster of its own, so two demos on one machine never join each other.
            ClusterId = "embedded-" + Guid.NewGuid().ToString("N"),
            CheckpointDirectory = checkpointDirectory,
            PluginDirectories = pluginDirectories ?? [],
        };
        var builder = GrpoHost.CreateEmbeddedBuilder(options);
        // The logging system does not dispose a provider added as an instance, so the cluster owns it.
        var log = logPath is null ? null : new FileLoggerProvider(logPath);
        if (log is not null)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(log);
        }

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            log?.Dispose();
            throw;
        }

        return new EmbeddedCluster(host, log);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            host.Dispose();
            log?.Dispose();
        }
    }

    /// <summary>Two distinct free loopback ports (see <see cref="LocalPorts.FreePair"/>).</summary>
    public static (int Silo, int Gateway) FreePortPair() => LocalPorts.FreePair();
}
