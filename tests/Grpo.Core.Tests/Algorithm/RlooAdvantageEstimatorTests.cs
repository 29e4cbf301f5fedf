using Grpo.Core.Algorithm;
using static Grpo.Core.Tests.Algorithm.TestTensors;

namespace Grpo.Core.Tests.Algorithm;

public sealed class RlooAdvantageEstimatorTests
{
    static readonly RlooAdvantageEstimator Rloo = new();

    [Fact]
    public void Each_completion_is_measured_against_the_mean_of_the_others()
    {
        // g0 = [1, 2, 3]: 1 - (2 + 3)/2 = -1.5, 2 - (1 + 3)/2 = 0, 3 - (1 + 2)/2 = 1.5.
        // g1 = [0, 0, 3]: 0 - (0 + 3)/2 = -1.5 (twice), 3 - (0 + 0)/2 = 3.
        var result = Rloo.Compute([1f, 2f, 3f, 0f, 0f, 3f], groupSize: 3);

        Assert.Equal([-1.5f, 0f, 1.5f, -1.5f, -1.5f, 3f], result.Advantages);
        Assert.Equal(0, result.ZeroStdGroups);
    }

    [Fact]
    public void Leave_one_out_equals_g_over_g_minus_one_times_the_centred_reward()
    {
        // r_i - (G·mean - r_i)/(G - 1) = (G·r_i - r_i - G·mean + r_i)/(G - 1) = G/(G - 1)·(r_i - mean).
        float[] rewards = [0.3f, 1.7f, -0.4f, 2.2f, 0.9f, 0.05f, 1.1f, -1.3f];
        const int groupSize = 4;

        var rloo = Rloo.Compute(rewards, groupSize).Advantages;
        var centred = new GrpoAdvantageEstimator { Scale = "none" }.Compute(rewards, groupSize).Advantages;

        for (var i = 0; i < rewards.Length; i++)
        {
            var group = rewards.AsSpan(i / groupSize * groupSize, groupSize).ToArray();
            var othersMean = (group.Sum(r => (double)r) - rewards[i]) / (groupSize - 1);
            Close(rewards[i] - othersMean, rloo[i], 1e-6);
            Close(groupSize / (groupSize - 1.0) * centred[i], rloo[i], 1e-6);
        }
    }

    [Fact]
    public void A_group_of_equal_rewards_gets_exactly_zero_and_is_counted()
    {
        var result = Rloo.Compute([0.1f, 0.1f, 0.1f, 0f, 1f, 2f], groupSize: 3);

        Assert.Equal([0f, 0f, 0f], result.Advantages[..3]);
        Assert.Equal([-1.5f, 0f, 1.5f], result.Advantages[3..]);
        Assert.Equal(1, result.ZeroStdGroups);
        Assert.Equal(0.5f, result.FractionZeroStd);
    }

    [Fact]
    public void A_group_of_one_has_no_others_and_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Rloo.Compute([1f, 2f], groupSize: 1));

        Assert.Equal("groupSize", error.ParamName);
        Assert.Contains("at least 2", error.Message);
    }

    [Fact]
    public void Derivatives_match_central_differences()
    {
        // A_i = r_i - Σ_{j≠i, same group} r_j / (G - 1): ∂A_i/∂r_i = 1, ∂A_i/∂r_j = -1/(G - 1) within the group, 0 across.
        float[] rewards = [0.5f, 1.25f, 2f, 0f, 0.75f, 3f];
        const int groupSize = 3;
        var expected = new double[6, 6];
        for (var i = 0; i < 6; i++)
            for (var j = 0; j < 6; j++)
                expected[i, j] = i == j ? 1.0 : i / groupSize == j / groupSize ? -0.5 : 0.0;

        AdvantageDifferences.AllClose(expected, AdvantageDifferences.Jacobian(Rloo, rewards, groupSize), 1e-4);
    }
}
