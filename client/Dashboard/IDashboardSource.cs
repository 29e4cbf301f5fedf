using Grpo.Client.Cluster;

namespace Grpo.Client.Dashboard;

/// <summary>
/// How the dashboard reaches the cluster: through a connection of its own that is made again after a loss
/// (<c>grpo dashboard</c>), or through the client of the in-process silo (<c>grpo train --dashboard</c>).
/// A call that cannot reach the cluster throws; the dashboard's feeds wait and try again.
/// </summary>
public interface IDashboardSource
{
    /// <summary>The cluster's name, for the page and its messages.</summary>
    string ClusterName { get; }

    Task<T> CallAsync<T>(Func<IRunCluster, Task<T>> call, CancellationToken cancellationToken);
}
