using Grpo.Client.Cluster;

namespace Grpo.Client.Dashboard;

/// <summary>
/// The cluster of <c>grpo dashboard</c>, through one <see cref="ClusterSession"/> that tries each call once: a call
/// that finds the cluster gone drops the connection and the next call connects afresh, while the feed that made the
/// call tells the browsers and waits (see <see cref="FeedBackoff"/>).
/// </summary>
public sealed class SessionDashboardSource(ClusterSession session, string clusterName) : IDashboardSource, IAsyncDisposable
{
    // The session keeps one connection and is not safe for concurrent calls; the feeds take turns, each call being short.
    private readonly SemaphoreSlim turn = new(1, 1);

    public string ClusterName => clusterName;

    public async Task<T> CallAsync<T>(Func<IRunCluster, Task<T>> call, CancellationToken cancellationToken)
    {
        await turn.WaitAsync(cancellationToken);
        try
        {
            return await session.CallAsync(call, cancellationToken);
        }
        finally
        {
            turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await session.DisposeAsync();
        turn.Dispose();
    }
}
