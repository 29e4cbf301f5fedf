using Grpo.Abstractions.Grains;
using Grpo.Client.Watch;

namespace Grpo.Client.Cluster;

/// <summary>One run of a cluster, reached through a <see cref="ClusterSession"/> that reconnects when the cluster is lost.</summary>
public sealed class SessionRunAccess(ClusterSession session, string runId) : IRunAccess
{
    public Task<T> CallAsync<T>(Func<IRunGrain, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return session.CallAsync(cluster => call(cluster.GetRun(runId)), cancellationToken);
    }
}
