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

    int failingWrites;
    int refusedWrites;
    volatile bool databaseDown;

    /// <summary>While true every run-state write fails as an unreachable database's would (see <see cref="FlakyGrainStorage"/>).</summary>
    public bool DatabaseDown
    {
        get => databaseDown;
        set => databaseDown = value;
    }

    /// <summary>How many writes <see cref="DatabaseDown"/> has refused so far.</summary>
    public int RefusedWrites => Volatile.Read(ref refusedWrites);

    /// <summary>True (and counted) when the database is down for this write.</summary>
    public bool RefuseWhileDown()
    {
        if (!databaseDown) return false;
        Interlocked.Increment(ref refusedWrites);
        return true;
    }

    /// <summary>How many of the next run-state writes fail (see <see cref="FlakyGrainStorage"/>).</summary>
    public int FailingWrites
    {
        get => Volatile.Read(ref failingWrites);
        set => Volatile.Write(ref failingWrites, value);
    }

    /// <summary>True (and one fewer left) when the next write is to fail.</summary>
    public bool TakeFailingWrite()
    {
        while (true)
        {
            var left = Volatile.Read(ref failingWrites);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref failingWrites, left - 1, left) == left) return true;
        }
    }
}
