using Grpo.Core.Algorithm;
using static Grpo.Core.Tests.Algorithm.TestTensors;

namespace Grpo.Core.Tests.Algorithm;

public sealed class GrpoAdvantageEstimatorTests
{
    // Two groups of three: g0 = [1, 2, 3], g1 = [0, 0, 3].
    static readonly float[] TwoGroups = [1f, 2f, 3f, 0f, 0f, 3f];

    [Fact]
    public void Group_divides_by_each_groups_unbiased_std()
    {
        // g0: mean 2, deviations [-1, 0, 1], var = (1 + 0 + 1) / (3 - 1) = 1, std 1 → ±1 / 1.0001 = ±0.99990001.
        // g1: mean 1, deviations [-1, -1, 2], var = (1 + 1 + 4) / 2 = 3, std √3 = 1.7320508
        //     → -1 / 1.7321508 = -0.57731694, 2 / 1.7321508 = 1.15463388.
        var result = new GrpoAdvantageEstimator { Scale = "group" }.Compute(TwoGroups, groupSize: 3);

        AllClose([-0.99990001, 0, 0.99990001, -0.57731694, -0.57731694, 1.15463388], result.Advantages.Select(a => (double)a).ToArray(), 1e-6);
        Assert.Equal(0, result.ZeroStdGroups);
        Assert.Equal(0f, result.FractionZeroStd);
    }

    [Fact]
    public void Batch_centres_on_the_group_mean_but_divides_by_the_batch_std()
    {
        // Batch mean 1.5, deviations [-0.5, 0.5, 1.5, -1.5, -1.5, 1.5], squares sum 9.5, var = 9.5 / 5 = 1.9, std 1.37840488.
        // Centred on group means (2 and 1): [-1, 0, 1, -1, -1, 2] / 1.37850488 = [-0.72542362, 0, 0.72542362, -0.72542362, -0.72542362, 1.45084724].
        var result = new GrpoAdvantageEstimator { Scale = "batch" }.Compute(TwoGroups, groupSize: 3);

        AllClose([-0.72542362, 0, 0.72542362, -0.72542362, -0.72542362, 1.45084724], result.Advantages.Select(a => (double)a).ToArray(), 1e-6);
        Assert.Equal(0, result.ZeroStdGroups);
    }

    [Fact]
    public void None_only_subtracts_the_group_mean()
    {
        // Group means 2 and 1, no division.
        var result = new GrpoAdvantageEstimator { Scale = "none" }.Compute(TwoGroups, groupSize: 3);

        Assert.Equal([-1f, 0f, 1f, -1f, -1f, 2f], result.Advantages);
    }

    [Theory]
    [InlineData("group")]
    [InlineData("batch")]
    [InlineData("none")]
    public void A_group_of_equal_rewards_gets_exactly_zero_advantages_and_is_counted(string scale)
    {
        // g0 = [0.1, 0.1, 0.1] carries no signal: its mean computed in floating point need not equal 0.1f exactly,
        // and dividing that residue by std + eps = 1e-4 would invent a signal, so the result must be exactly 0.
        // g1 = [0, 1, 2] still has a spread. One of two groups is zero-std → fraction 0.5.
        var result = new GrpoAdvantageEstimator { Scale = scale }.Compute([0.1f, 0.1f, 0.1f, 0f, 1f, 2f], groupSize: 3);

        Assert.Equal([0f, 0f, 0f], result.Advantages[..3]);
        Assert.True(result.Advantages[3] < 0f && result.Advantages[5] > 0f);
        Assert.Equal(1, result.ZeroStdGroups);
        Assert.Equal(0.5f, result.FractionZeroStd);
    }

    [Theory]
    [InlineData("group")]
    [InlineData("batch")]
    [InlineData("none")]
    public void Group_size_one_gives_zero_advantages_and_every_group_zero_std(string scale)
    {
        // Each completion is its own group: r - mean = 0, and a single value has no spread (std defined as 0).
        var result = new GrpoAdvantageEstimator { Scale = scale }.Compute([3f, -1f, 0.5f], groupSize: 1);

        Assert.Equal([0f, 0f, 0f], result.Advantages);
        Assert.Equal(3, result.ZeroStdGroups);
        Assert.Equal(1f, result.FractionZeroStd);
    }

    [Fact]
    public void Eps_is_added_to_the_std()
    {
        // g = [0, 2]: mean 1, std = √((1 + 1) / 1) = √2 = 1.41421356; with eps 0.5: ±1 / 1.91421356 = ±0.52240775.
        var result = new GrpoAdvantageEstimator { Eps = 0.5f }.Compute([0f, 2f], groupSize: 2);

        AllClose([-0.52240775, 0.52240775], result.Advantages.Select(a => (double)a).ToArray(), 1e-6);
    }

    [Fact]
    public void Length_not_a_multiple_of_group_size_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new GrpoAdvantageEstimator { Scale = "group" }.Compute([1f, 2f, 3f, 4f, 5f], groupSize: 2));
        Assert.Equal("rewards", error.ParamName);
        Assert.Contains("5", error.Message);
        Assert.Contains("groupSize 2", error.Message);
    }

    [Fact]
    public void Other_bad_inputs_are_refused_naming_the_field()
    {
        Assert.Equal("groupSize", Assert.Throws<ArgumentException>(() => new GrpoAdvantageEstimator { Scale = "group" }.Compute([1f], 0)).ParamName);
        Assert.Equal("rewards", Assert.Throws<ArgumentException>(() => new GrpoAdvantageEstimator { Scale = "group" }.Compute([], 2)).ParamName);
        Assert.Equal("Eps", Assert.Throws<ArgumentException>(() => new GrpoAdvantageEstimator { Eps = -1e-4f }).ParamName);
        Assert.Equal("Scale", Assert.Throws<ArgumentException>(() => new GrpoAdvantageEstimator { Scale = "sideways" }).ParamName);
        Assert.Throws<ArgumentNullException>(() => new GrpoAdvantageEstimator { Scale = "group" }.Compute(null!, 2));

        var notFinite = Assert.Throws<ArgumentException>(() => new GrpoAdvantageEstimator { Scale = "group" }.Compute([1f, float.NaN, 0f, 1f], 2));
        Assert.Equal("rewards", notFinite.ParamName);
        Assert.Contains("rewards[1]", notFinite.Message);
    }
}
