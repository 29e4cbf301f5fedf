using Grpo.Core.Checkpoints;
using Grpo.Grains.Learning;
using Grpo.Grains.Rollout;

namespace Grpo.Cluster.Tests.Rollout;

/// <summary>
/// A chunk asked of a learner that never published its version (the manifest came from a learner activation lost since)
/// fails as the unavailable policy it is, an Orleans exception the run answers by redoing the step, not as a failure of the run.
/// </summary>
public sealed class ReplacedLearnerChunkTests
{
    static WeightImage Image(long version) => WeightImage.Copy([(byte)version, 1, 2, 3], segmentBytes: 2);

    [Fact]
    public void A_chunk_of_a_version_newer_than_the_newest_published_is_an_unavailable_policy()
    {
        var restored = new WeightPublication();
        restored.Publish(5, Image(5));

        var refused = Assert.Throws<PolicyUnavailableException>(() => restored.Chunk(7, 0));

        Assert.Contains("policy version 7 was never published by this learner (newest is 5)", refused.Message);
        Assert.Equal([5], restored.HeldVersions);
    }

    [Fact]
    public void A_chunk_asked_of_a_learner_still_restoring_is_an_unavailable_policy()
    {
        var restoring = new WeightPublication();

        var refused = Assert.Throws<PolicyUnavailableException>(() => restoring.Chunk(7, 1));

        Assert.Contains("(newest is none)", refused.Message);
    }
}
