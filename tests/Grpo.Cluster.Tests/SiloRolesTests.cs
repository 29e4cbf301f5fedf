using Grpo.Grains.Placement;

namespace Grpo.Cluster.Tests;

public sealed class SiloRolesTests
{
    [Fact]
    public void Metadata_states_every_role_and_the_device()
    {
        var metadata = SiloRoles.ToMetadata(rollout: true, learner: false, device: "cuda:1");

        Assert.Equal(3, metadata.Count);
        Assert.Equal("true", metadata["grpo.rollout"]);
        Assert.Equal("false", metadata["grpo.learner"]);
        Assert.Equal("cuda:1", metadata["grpo.device"]);
        Assert.True(SiloRoles.HasRole(metadata, SiloRole.Rollout));
        Assert.False(SiloRoles.HasRole(metadata, SiloRole.Learner));
        Assert.Equal("cuda:1", SiloRoles.Device(metadata));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData("yes", false)]
    [InlineData("", false)]
    public void A_role_is_present_only_when_its_value_is_true(string value, bool expected) =>
        Assert.Equal(expected, SiloRoles.HasRole(new Dictionary<string, string> { ["grpo.learner"] = value }, SiloRole.Learner));

    [Fact]
    public void Silos_without_metadata_have_no_role_and_no_device()
    {
        var empty = new Dictionary<string, string>();
        Assert.False(SiloRoles.HasRole(empty, SiloRole.Rollout));
        Assert.False(SiloRoles.HasRole(empty, SiloRole.Learner));
        Assert.Null(SiloRoles.Device(empty));
    }

    [Fact]
    public void Keys_and_names_match_the_design()
    {
        Assert.Equal("grpo.rollout", SiloRoles.MetadataKey(SiloRole.Rollout));
        Assert.Equal("grpo.learner", SiloRoles.MetadataKey(SiloRole.Learner));
        Assert.Equal("rollout", SiloRoles.DisplayName(SiloRole.Rollout));
        Assert.Equal("learner", SiloRoles.DisplayName(SiloRole.Learner));
        Assert.Throws<ArgumentOutOfRangeException>(() => SiloRoles.MetadataKey((SiloRole)7));
        Assert.Throws<ArgumentException>(() => SiloRoles.ToMetadata(true, true, " "));
    }
}
