using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Grains.Components;

namespace Grpo.Cluster.Tests.Components;

public sealed class ComponentAvailabilityTests
{
    static ComponentListing ListingWith(params string[] rewards)
    {
        var registries = new GrpoRegistries();
        foreach (var name in rewards)
        {
            registries.Rewards.Add(name, _ => new FunctionReward(name, (_, _, _) => 0f));
        }

        return ComponentListing.Of(registries);
    }

    [Fact]
    public void A_listing_survives_the_round_trip_through_silo_metadata()
    {
        var listing = ListingWith("length", "answer");
        var value = listing.ToMetadataValue();
        Assert.Contains("reward=answer,length", value);
        var read = ComponentListing.FromMetadata(new Dictionary<string, string> { [ComponentListing.MetadataKey] = value });
        Assert.NotNull(read);
        Assert.True(read.Has("reward", "answer"));
        Assert.True(read.Has("reward", "length"));
        Assert.False(read.Has("reward", "format"));
        Assert.False(read.Has("task", "answer"));
        Assert.Null(ComponentListing.FromMetadata(new Dictionary<string, string>()));
    }

    [Fact]
    public void A_component_some_silo_lacks_is_named_with_that_silo_and_its_roles()
    {
        SiloComponents[] silos =
        [
            new("S1:11111", ["rollout", "learner"], ListingWith("answer", "mine")),
            new("S2:11112", ["rollout"], ListingWith("answer")),
            new("S3:11113", ["rollout"], null), // published nothing: an older silo is not judged
        ];
        RequiredComponent[] required = [new("reward", "answer", "rewards[0]"), new("reward", "mine", "rewards[1]")];

        var problems = ComponentAvailability.Problems(required, silos);

        var problem = Assert.Single(problems);
        Assert.Equal("rewards[1]: reward 'mine' is not registered on silo S2:11112 (rollout); " +
            "start every silo with the plugin that provides it (--plugins DIR)", problem);
        Assert.Empty(ComponentAvailability.Problems([required[0]], silos));
    }
}
