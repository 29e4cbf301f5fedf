using Grpo.Abstractions.Grains;
using Grpo.Grains.Resilience;
using Grpo.Hosting;
using Grpo.Hosting.Tls;
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
        // Orleans' own start-up log would bury the command's one line of output, unless GRPO_LOG_LEVEL asks for it.
        ClientLogging.Configure(builder.Logging, Environment.GetEnvironmentVariable);
        var diagnosis = new GatewayConnectionDiagnosis();
        diagnosis.AddTo(builder.Logging);
        var tls = target.Tls is { } tlsFiles ? ClusterTlsCredentials.Load(tlsFiles, ClusterTlsRole.Client) : null;
        builder.UseOrleansClient(client =>
        {
            client.UseGrpoPostgres(target.ConnectionString, target.ClusterId);
            if (tls is not null)
            {
                client.UseGrpoTls(tls, diagnosis.Rejections);
            }
        });
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
            tls?.Dispose();
            throw new NoGatewayAnsweredException(diagnosis.Describe(ConnectTimeout, usesTls: tls is not null));
        }
        catch
        {
            host.Dispose();
            tls?.Dispose();
            throw;
        }

        return new OrleansRunCluster(host, tls);
    }

    /// <param name="tls">The client's certificate, used by every connection the host opens, so released with it.</param>
    private sealed class OrleansRunCluster(IHost host, IDisposable? tls) : IRunCluster
    {
        private readonly IClusterClient client = host.Services.GetRequiredService<IClusterClient>();

        public IRunGrain GetRun(string runId) => client.GetGrain<IRunGrain>(runId);

        public IRunRegistryGrain GetRegistry() => client.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key);

        public IManagementGrain GetManagement() => client.GetGrain<IManagementGrain>(0);

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
                tls?.Dispose();
            }
        }
    }
}
