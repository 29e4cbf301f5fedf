using Grpo.Abstractions.Grains;
using Grpo.Client.Cluster;

namespace Grpo.Client.Dashboard;

/// <summary>The cluster of a client that something else owns and disconnects (the in-process silo of <c>grpo train</c>).</summary>
public sealed class ClientDashboardSource(IClusterClient client, string clusterName) : IDashboardSource
{
    private readonly BorrowedCluster cluster = new(client);

    public string ClusterName => clusterName;

    public Task<T> CallAsync<T>(Func<IRunCluster, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call(cluster).WaitAsync(cancellationToken);
    }

    /// <summary>The client's grains as an <see cref="IRunCluster"/>; disposing it leaves the client to its owner.</summary>
    private sealed class BorrowedCluster(IClusterClient client) : IRunCluster
    {
        public IRunGrain GetRun(string runId) => client.GetGrain<IRunGrain>(runId);

        public IRunRegistryGrain GetRegistry() => client.GetGrain<IRunRegistryGrain>(IRunRegistryGrain.Key);

        public IManagementGrain GetManagement() => client.GetGrain<IManagementGrain>(0);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
