using Grpo.Client.Cluster;

namespace Grpo.Client.Dashboard;

/// <summary>How often the dashboard's feeds read the cluster, and how they wait while it is unreachable.</summary>
public sealed record DashboardTiming(TimeSpan PollInterval, ReconnectPolicy Reconnect)
{
    /// <summary>A read a second: steps take seconds, and every browser shares the one read.</summary>
    public static DashboardTiming Default { get; } = new(TimeSpan.FromSeconds(1), ReconnectPolicy.Default);

    /// <summary>The wait before attempt <paramref name="failures"/> + 1: doubling from the policy's first delay up to its longest.</summary>
    public TimeSpan Backoff(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var doubled = Reconnect.FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(doubled, Reconnect.MaxDelay.TotalMilliseconds));
    }
}
