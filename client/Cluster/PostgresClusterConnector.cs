using Grpo.Abstractions.Grains;
using Grpo.Grains.Resilience;
using Grpo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Grpo.Client.Cluster;

/// <summary>
/// Connects an Orleans client to a PostgreSQL-backed cluster. The schema is checked first, because Orleans would
/// otherwise report a missing database or schema as a provider stack trace long after start-up.
/// </summary>
/// <param name="logger">Where retries of the database check are reported; none by default.</param>
public sealed class PostgresClusterConnector(TimeSpan? connectTimeout = null, ILogger? logger = null) : IClusterConnector
{
    private readonly ResiliencePipeline databaseCheck = GrpoResilience.ClientConnect(
        e => e is ClusterConfigurationException { Problem: ClusterProblem.Unreachable }, logger ?? NullLogger.Instance);

    /// <summary>Orleans retries a cluster without gateways for ever; a command gives up after this long.</summary>
    public TimeSpan ConnectTimeout { get; } = connectTimeout ?? TimeSpan.FromSeconds(15);

    /// <exception cref="TimeoutException">No silo of the cluster answered within <see cref="ConnectTimeout"/>.</exception>
    public async Task<IRunCluster> ConnectAsync(ClusterTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        // A database that is briefly unreachable (restarting, failing over) is tried again; any other problem is final.
        await databaseCheck.ExecuteAsync(async token => await SchemaCheck.EnsureAsync(target.ConnectionString, token), cancellationToken);

        var builder = Host.CreateApplicationBuilder();
        // Orleans' own start-up log would bury the command's one line of output.
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseGrpoPostgres(target.ConnectionString, target.ClusterId));
        var host = builder.Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            throw new TimeoutException(
                $"no silo answered within {ConnectTimeout.TotalSeconds:0} s: start the cluster's silos or check --cluster-id.");
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new OrleansRunCluster(host);
    }

    private sealed class OrleansRunCluster(IHost host) : IRunCluster
    {
        private readonly IClusterClient client = host.Services.GetRequiredService<IClusterClient>();

        public IRunGrain GetRun(string runId) => client.GetGrain<IRunGrain>(runId);

        public IRunRegistryGrain GetRegistry() => client.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key);

        public async ValueTask DisposeAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(timeout.Token);
            }
            finally
            {
                host.Dispose();
            }
        }
    }
}
