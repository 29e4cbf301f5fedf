using Grpo.Abstractions.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Grpo.Abstractions.Tests.Contracts;

public sealed class LearnerLineageTests
{
    [Fact]
    public void Any_accepts_every_lineage_including_itself()
    {
        Assert.True(LearnerLineage.Any.IsAny);
        Assert.True(LearnerLineage.Any.Accepts(LearnerLineage.Any));
        Assert.True(LearnerLineage.Any.Accepts(LearnerLineage.New()));
        Assert.Equal(LearnerLineage.Any, default);
    }

    [Fact]
    public void A_drawn_lineage_accepts_itself_only_and_never_any()
    {
        var drawn = LearnerLineage.New();
        var other = LearnerLineage.New();

        Assert.False(drawn.IsAny);
        Assert.True(drawn.Accepts(drawn));
        Assert.False(drawn.Accepts(other));
        // Weights from a source without lineages cannot stand in for a particular learner's.
        Assert.False(drawn.Accepts(LearnerLineage.Any));
        Assert.NotEqual(drawn, other);
        Assert.NotEqual(drawn.ToString(), other.ToString());
    }

    [Fact]
    public void Orleans_round_trips_a_drawn_lineage_and_any_as_equal_values()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var drawn = LearnerLineage.New();

        var copy = serializer.Deserialize<LearnerLineage>(serializer.SerializeToArray(drawn));
        var any = serializer.Deserialize<LearnerLineage>(serializer.SerializeToArray(LearnerLineage.Any));

        Assert.Equal(drawn, copy);
        Assert.True(copy.Accepts(drawn));
        Assert.True(any.IsAny);
    }

    [Fact]
    public void A_contract_keeps_its_lineage_through_orleans_and_defaults_to_any()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var drawn = LearnerLineage.New();
        var manifest = new WeightManifest(3, 10, 4, 3, "ab") { Lineage = drawn };

        Assert.Equal(drawn, serializer.Deserialize<WeightManifest>(serializer.SerializeToArray(manifest))!.Lineage);
        Assert.True(new WeightManifest(3, 10, 4, 3, "ab").Lineage.IsAny);
    }
}
