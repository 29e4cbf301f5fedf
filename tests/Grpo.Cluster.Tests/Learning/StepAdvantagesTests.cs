using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Grains.Learning;
using Grpo.Grains.Runs;

namespace Grpo.Cluster.Tests.Learning;

/// <summary>
/// The advantages a learner trains a step with, computed once over all of the step's groups. The expected numbers are
/// worked by hand for two groups of three, g0 = [1, 2, 3] (std 1) and g1 = [0, 0, 3] (std √3).
/// </summary>
public sealed class StepAdvantagesTests
{
    static readonly ScoredGroup[] TwoGroups = [Group(0, [1f, 2f, 3f]), Group(1, [0f, 0f, 3f])];

    [Fact]
    public void Group_scaling_divides_each_group_by_its_own_std()
    {
        var advantages = Compute(TwoGroups, "group");

        // g0: ±1 / (1 + 1e-4); g1: [-1, -1, 2] / (√3 + 1e-4).
        AllClose([[-0.99990001, 0, 0.99990001], [-0.57731694, -0.57731694, 1.15463388]], advantages);
    }

    [Fact]
    public void Batch_scaling_divides_every_group_by_the_std_of_the_whole_step()
    {
        var advantages = Compute(TwoGroups, "batch");

        // Centred on the group means (2 and 1), divided by the std of all six rewards, √1.9 = 1.37840488 (+ 1e-4).
        AllClose([[-0.72542362, 0, 0.72542362], [-0.72542362, -0.72542362, 1.45084724]], advantages);
        // Each group on its own would be divided by its own std: the step's groups must be scaled together.
        var alone = TwoGroups.Select(group => Compute([group], "batch")[0]).ToArray();
        Assert.NotEqual(alone[0][2], advantages[0][2], 3);
        Assert.NotEqual(alone[1][2], advantages[1][2], 3);
    }

    [Fact]
    public void No_scaling_only_centres_each_group()
    {
        var advantages = Compute(TwoGroups, "none");

        Assert.Equal([[-1f, 0f, 1f], [-1f, -1f, 2f]], advantages);
    }

    [Fact]
    public void A_group_with_equal_rewards_gets_zero_advantages_and_a_step_without_groups_gets_none()
    {
        var advantages = Compute([Group(0, [0.5f, 0.5f, 0.5f]), TwoGroups[1]], "batch");

        Assert.Equal([0f, 0f, 0f], advantages[0]);
        Assert.True(advantages[1][2] > 0);
        Assert.Empty(Compute([], "batch"));
    }

    [Fact]
    public void A_group_of_another_size_than_the_runs_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Compute([TwoGroups[0], Group(1, [1f, 0f])], "group"));

        Assert.Contains("group 0/1 has 2 completions, the run's group size is 3", error.Message);
    }

    static RunConfig Config(string scale) => new() { GroupSize = 3, AdvantageEstimator = new ComponentSpec("grpo").WithParameter("scale", scale) };

    static float[][] Compute(IReadOnlyList<ScoredGroup> groups, string scale)
    {
        var config = Config(scale);
        return StepAdvantages.Compute(groups, config, RunOptions.Advantages(config));
    }

    [Fact]
    public void The_runs_estimator_computes_them_rloo_by_the_mean_of_the_other_rewards()
    {
        var config = new RunConfig { GroupSize = 3, AdvantageEstimator = "rloo" };

        var advantages = StepAdvantages.Compute(TwoGroups, config, RunOptions.Advantages(config));

        // g0: 1 − 2.5, 2 − 2, 3 − 1.5; g1: 0 − 1.5, 0 − 1.5, 3 − 0.
        AllClose([[-1.5, 0, 1.5], [-1.5, -1.5, 3]], advantages);
    }

    static ScoredGroup Group(int promptIndex, float[] rewards) => new("advantages-run", 0, promptIndex, [1, 2],
        [.. rewards.Select((reward, i) => new CompletionResult($"advantages-run/0/{promptIndex}/{i}", [3], [-0.5f], 0, reward, false, "3", "silo"))]);

    static void AllClose(double[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var group = 0; group < expected.Length; group++)
        {
            Assert.Equal(expected[group].Length, actual[group].Length);
            for (var i = 0; i < expected[group].Length; i++)
                Assert.True(Math.Abs(expected[group][i] - actual[group][i]) < 1e-6,
                    $"group {group}, completion {i}: expected {expected[group][i]}, got {actual[group][i]}");
        }
    }
}
