namespace Grpo.Grains.Runs;

public static class RunStorage
{
    /// <summary>The grain storage that holds run state (in memory on one machine; PostgreSQL in a cluster).</summary>
    public const string Name = "grpo-runs";
}
