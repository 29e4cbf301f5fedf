namespace Grpo.Cluster.Tests;

/// <summary>Shared cluster: Silo_0 learner-only, Silo_1 and Silo_2 rollout-only. Tests must not add or stop silos.</summary>
public sealed class RoleClusterFixture : IAsyncLifetime
{
    public GrpoTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cluster = await GrpoTestCluster.StartAsync(GrpoTestCluster.LearnerOnly, GrpoTestCluster.RolloutOnly, GrpoTestCluster.RolloutOnly);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class RoleClusterCollection : ICollectionFixture<RoleClusterFixture>
{
    public const string Name = "Role cluster";
}
