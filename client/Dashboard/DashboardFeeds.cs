using System.Collections.Concurrent;

namespace Grpo.Client.Dashboard;

/// <summary>The dashboard's feeds: one for the cluster, and one per run that some page opened, shared by every page of it.</summary>
public sealed class DashboardFeeds(IDashboardSource source, DashboardTiming timing, TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<RunFeed>> runs = new(StringComparer.Ordinal);
    private readonly Lazy<ClusterFeed> cluster = new(() => new ClusterFeed(source, timing, time));

    public ClusterFeed Cluster => cluster.Value;

    public RunFeed Run(string runId) => runs.GetOrAdd(runId, id => new Lazy<RunFeed>(() => new RunFeed(id, source, timing, time))).Value;

    public async ValueTask DisposeAsync()
    {
        if (cluster.IsValueCreated)
        {
            await cluster.Value.DisposeAsync();
        }

        foreach (var feed in runs.Values.Where(feed => feed.IsValueCreated))
        {
            await feed.Value.DisposeAsync();
        }
    }
}
