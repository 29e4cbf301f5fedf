using Grpo.Abstractions.Grains;

namespace Grpo.Client.Watch;

/// <summary>How a watcher reaches its run: in this process (<c>grpo train</c>) or through a cluster connection that may drop and be made again (<c>grpo watch</c>).</summary>
public interface IRunAccess
{
    /// <exception cref="Cluster.ClusterUnreachableException">The cluster stayed unreachable through every allowed attempt.</exception>
    Task<T> CallAsync<T>(Func<IRunGrain, Task<T>> call, CancellationToken cancellationToken);
}
