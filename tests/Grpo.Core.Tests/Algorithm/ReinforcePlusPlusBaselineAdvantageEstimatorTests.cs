using Grpo.Core.Algorithm;
using static Grpo.Core.Tests.Algorithm.TestTensors;

namespace Grpo.Core.Tests.Algorithm;

public sealed class ReinforcePlusPlusBaselineAdvantageEstimatorTests
{
    static readonly ReinforcePlusPlusBaselineAdvantageEstimator Estimator = new();

    static double[] AsDoubles(float[] values) => values.Select(value => (double)value).ToArray();

    [Fact]
    public void Group_centred_rewards_are_whitened_by_the_whole_batch()
    {
        // g0 = [1, 2, 3] (mean 2), g1 = [0, 0, 3] (mean 1) → x = [-1, 0, 1, -1, -1, 2]; batch mean 0,
        // Bessel variance (1 + 0 + 1 + 1 + 1 + 4) / 5 = 1.6, √(1.6 + 1e-8) = 1.26491107
        // → A = x / 1.26491107 = [-0.79056941, 0, 0.79056941, -0.79056941, -0.79056941, 1.58113883].
        // (grpo with scale = batch divides by the raw rewards' std, 1.37840488, instead.)
        var result = Estimator.Compute([1f, 2f, 3f, 0f, 0f, 3f], groupSize: 3);

        AllClose([-0.79056941, 0, 0.79056941, -0.79056941, -0.79056941, 1.58113883], AsDoubles(result.Advantages), 1e-6);
        Assert.Equal(0, result.ZeroStdGroups);
    }

    [Fact]
    public void A_group_of_equal_rewards_gets_exactly_zero_but_still_counts_in_the_batch_spread()
    {
        // g0 = [0.5, 0.5, 0.5] → x = 0 exactly, counted; g1 = [0, 1, 2] → x = [-1, 0, 1].
        // Batch x = [0, 0, 0, -1, 0, 1]: mean 0, variance 2 / 5 = 0.4, √(0.4 + 1e-8) = 0.63245554 → ±1.58113881.
        var result = Estimator.Compute([0.5f, 0.5f, 0.5f, 0f, 1f, 2f], groupSize: 3);

        Assert.Equal([0f, 0f, 0f], result.Advantages[..3]);
        AllClose([-1.58113881, 0, 1.58113881], AsDoubles(result.Advantages[3..]), 1e-6);
        Assert.Equal(1, result.ZeroStdGroups);
        Assert.Equal(0.5f, result.FractionZeroStd);
    }

    [Fact]
    public void With_one_completion_per_prompt_the_baseline_is_the_batch_mean_as_in_verl()
    {
        // veRL gives a lone completion a group mean of 0, so x = r = [3, -1, 0.5, 1.5]; whitening subtracts the batch
        // mean 1 → [2, -2, -0.5, 0.5], variance (4 + 4 + 0.25 + 0.25) / 3 = 2.83333333, std 1.68325083
        // → [1.18817705, -1.18817705, -0.29704426, 0.29704426]. The reward statistic still counts every singleton.
        var result = Estimator.Compute([3f, -1f, 0.5f, 1.5f], groupSize: 1);

        AllClose([1.18817705, -1.18817705, -0.29704426, 0.29704426], AsDoubles(result.Advantages), 1e-6);
        Assert.Equal(4, result.ZeroStdGroups);
    }

    [Fact]
    public void Derivatives_match_the_hand_derived_jacobian()
    {
        // x = C·r with C the block-centring matrix (C_ij = δ_ij - 1/G within a group, 0 across), symmetric and
        // idempotent, so the batch mean of x is 0 and Cᵀx = x. With n rewards and s = √(xᵀx/(n - 1) + 1e-8), A = x/s and
        //   ∂A_i/∂r_j = C_ij / s - x_i · (Cᵀx)_j / ((n - 1)·s³) = C_ij / s - x_i·x_j / ((n - 1)·s³).
        float[] rewards = [0.5f, 1.25f, 2f, 0f, 0.75f, 3f];
        const int groupSize = 3;
        var n = rewards.Length;
        var x = new double[n];
        for (var i = 0; i < n; i++)
            x[i] = rewards[i] - rewards.Skip(i / groupSize * groupSize).Take(groupSize).Average(r => (double)r);
        var s = Math.Sqrt(x.Sum(v => v * v) / (n - 1) + 1e-8);
        var expected = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                var centring = i / groupSize != j / groupSize ? 0.0 : (i == j ? 1.0 : 0.0) - 1.0 / groupSize;
                expected[i, j] = centring / s - x[i] * x[j] / ((n - 1) * s * s * s);
            }

        AdvantageDifferences.AllClose(expected, AdvantageDifferences.Jacobian(Estimator, rewards, groupSize), 1e-3);
    }

    [Fact]
    public void Bad_rewards_are_refused_naming_the_argument()
    {
        Assert.Equal("rewards", Assert.Throws<ArgumentException>(() => Estimator.Compute([1f, 2f, 3f], groupSize: 2)).ParamName);
        Assert.Equal("rewards", Assert.Throws<ArgumentException>(() => Estimator.Compute([1f, float.PositiveInfinity], groupSize: 2)).ParamName);
    }
}
