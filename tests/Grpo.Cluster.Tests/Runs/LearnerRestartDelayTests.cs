using Grpo.Grains;

namespace Grpo.Cluster.Tests.Runs;

/// <summary>Learner losses in a row wait longer each time, so a cluster without a learner silo is not flooded with rollouts.</summary>
public sealed class LearnerRestartDelayTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 6)]
    [InlineData(3, 12)]
    [InlineData(4, 24)]
    [InlineData(5, 30)]
    [InlineData(20, 30)]
    [InlineData(100, 30)]
    public void Each_loss_in_a_row_doubles_the_wait_up_to_half_a_minute(int restart, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RunGrain.RestartDelay(restart));
}
