using System.Collections.Concurrent;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>
/// What a cluster's database holds (run state and reminders), kept in the test process: hand the same instance to a
/// second <see cref="GrpoTestCluster"/> to restart a whole cluster on the same database.
/// </summary>
public sealed class ClusterStorage
{
    public ConcurrentDictionary<string, (byte[] State, string ETag)> RunState { get; } = new(StringComparer.Ordinal);

    public ProcessWideReminderTable Reminders { get; } = new();
}
