using System.Collections.Immutable;
using Grpo.Grains.Placement;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Runtime;

namespace Grpo.Cluster.Tests;

/// <summary>What the role attributes write into the grain type's properties, which is all Orleans placement reads.</summary>
[Collection(RoleClusterCollection.Name)]
public sealed class RolePlacementPropertiesTests(RoleClusterFixture fixture)
{
    private const string FilterRoleKey = $"{WellKnownGrainTypeProperties.PlacementFilter}.{nameof(SiloRolePlacementFilterStrategy)}.role";

    [Fact]
    public void Role_attributes_name_the_filter_and_role_and_default_to_random_placement()
    {
        var rollout = PropertiesOf<IRolloutWhereAmIGrain>();
        var learner = PropertiesOf<ILearnerWhereAmIGrain>();

        Assert.Equal(nameof(SiloRolePlacementFilterStrategy), rollout[WellKnownGrainTypeProperties.PlacementFilter]);
        Assert.Equal(nameof(SiloRole.Rollout), rollout[FilterRoleKey]);
        Assert.Equal(nameof(RandomPlacement), rollout[WellKnownGrainTypeProperties.PlacementStrategy]);
        Assert.Equal(nameof(SiloRole.Learner), learner[FilterRoleKey]);
        Assert.Equal(nameof(RandomPlacement), learner[WellKnownGrainTypeProperties.PlacementStrategy]);
    }

    [Fact]
    public void An_explicit_placement_attribute_wins_over_the_random_default()
    {
        var properties = PropertiesOf<IExplicitStrategyLearnerGrain>();

        Assert.Equal(nameof(ActivationCountBasedPlacement), properties[WellKnownGrainTypeProperties.PlacementStrategy]);
        Assert.Equal(nameof(SiloRole.Learner), properties[FilterRoleKey]);
    }

    [Fact]
    public void Two_role_attributes_on_one_class_are_rejected()
    {
        var properties = new Dictionary<string, string>();
        var grainType = GrainType.Create("two-roles");
        new RolloutSiloPlacementAttribute().Populate(null!, typeof(RolloutWhereAmIGrain), grainType, properties);

        var error = Assert.Throws<ArgumentException>(() =>
            new LearnerSiloPlacementAttribute().Populate(null!, typeof(RolloutWhereAmIGrain), grainType, properties));
        Assert.Contains(nameof(RolloutWhereAmIGrain), error.Message);
        Assert.Contains("only one silo role", error.Message);
    }

    [Fact]
    public void The_strategy_reads_its_role_back_and_rejects_an_unknown_one()
    {
        var properties = new Dictionary<string, string>();
        new LearnerSiloPlacementAttribute(order: 3).Populate(null!, typeof(LearnerWhereAmIGrain), GrainType.Create("learner"), properties);

        var strategy = new SiloRolePlacementFilterStrategy();
        strategy.Initialize(new GrainProperties(properties.ToImmutableDictionary(StringComparer.Ordinal)));
        Assert.Equal(SiloRole.Learner, strategy.Role);
        Assert.Equal(3, strategy.Order);

        properties[FilterRoleKey] = "Judge";
        var error = Assert.Throws<ArgumentException>(() => new SiloRolePlacementFilterStrategy().Initialize(new GrainProperties(properties.ToImmutableDictionary(StringComparer.Ordinal))));
        Assert.Contains("'Judge'", error.Message);
    }

    private ImmutableDictionary<string, string> PropertiesOf<TGrain>()
        where TGrain : IWhereAmIGrain
    {
        var grainType = fixture.Cluster.Client.GetGrain<TGrain>("properties").GetGrainId().Type;
        var resolver = fixture.Cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<GrainPropertiesResolver>();
        Assert.True(resolver.TryGetGrainProperties(grainType, out var properties), $"no grain properties for {grainType}");
        return properties.Properties;
    }
}
