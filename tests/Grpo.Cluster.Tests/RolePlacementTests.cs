using Grpo.Grains.Placement;

namespace Grpo.Cluster.Tests;

[Collection(RoleClusterCollection.Name)]
public sealed class RolePlacementTests(RoleClusterFixture fixture)
{
    private readonly GrpoTestCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Rollout_grains_land_only_on_the_rollout_silos_and_on_both_of_them()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var addresses = await Task.WhenAll(Enumerable.Range(0, 40)
            .Select(i => _cluster.Client.GetGrain<IRolloutWhereAmIGrain>($"{prefix}/{i}").SiloAddress()));

        var silos = addresses.Select(_cluster.SiloNameOf).ToList();
        Assert.All(silos, silo => Assert.Contains(silo, new[] { GrpoTestCluster.SiloName(1), GrpoTestCluster.SiloName(2) }));
        Assert.Contains(GrpoTestCluster.SiloName(1), silos);
        Assert.Contains(GrpoTestCluster.SiloName(2), silos);
    }

    [Fact]
    public async Task Learner_grains_land_only_on_the_learner_silo()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var addresses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => _cluster.Client.GetGrain<ILearnerWhereAmIGrain>($"{prefix}/{i}").SiloAddress()));

        Assert.All(addresses, address => Assert.Equal(GrpoTestCluster.SiloName(0), _cluster.SiloNameOf(address)));
    }

    [Fact]
    public async Task A_learner_grain_with_its_own_placement_strategy_still_lands_on_the_learner_silo()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var addresses = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(i => _cluster.Client.GetGrain<IExplicitStrategyLearnerGrain>($"{prefix}/{i}").SiloAddress()));

        Assert.All(addresses, address => Assert.Equal(GrpoTestCluster.SiloName(0), _cluster.SiloNameOf(address)));
    }

    [Fact]
    public async Task Hosting_silos_publish_their_roles_and_device_as_metadata()
    {
        var rollout = await _cluster.Client.GetGrain<IRolloutWhereAmIGrain>(Guid.NewGuid().ToString("N")).SiloMetadata();
        var learner = await _cluster.Client.GetGrain<ILearnerWhereAmIGrain>(Guid.NewGuid().ToString("N")).SiloMetadata();

        Assert.True(SiloRoles.HasRole(rollout, SiloRole.Rollout));
        Assert.False(SiloRoles.HasRole(rollout, SiloRole.Learner));
        Assert.Equal("cpu", SiloRoles.Device(rollout));
        Assert.True(SiloRoles.HasRole(learner, SiloRole.Learner));
        Assert.False(SiloRoles.HasRole(learner, SiloRole.Rollout));
        Assert.Equal("cpu", SiloRoles.Device(learner));
    }
}
