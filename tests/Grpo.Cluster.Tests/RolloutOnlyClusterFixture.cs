namespace Grpo.Cluster.Tests;

/// <summary>
/// A cluster with no learner silo, starting with one rollout-only silo. Tests may add rollout-only silos, which keeps
/// "no learner anywhere" true whatever order the tests run in.
/// </summary>
public sealed class RolloutOnlyClusterFixture : IAsyncLifetime
{
    public GrpoTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.RolloutOnly);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
