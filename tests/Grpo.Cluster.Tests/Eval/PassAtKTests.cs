using Grpo.Client.Eval;

namespace Grpo.Cluster.Tests.Eval;

public sealed class PassAtKTests
{
    [Theory]
    // 1 - C(n-c, k) / C(n, k), by hand.
    [InlineData(10, 3, 1, 0.3)]                  // c / n
    [InlineData(5, 2, 2, 0.7)]                   // 1 - C(3,2)/C(5,2) = 1 - 3/10
    [InlineData(6, 2, 3, 0.8)]                   // 1 - C(4,3)/C(6,3) = 1 - 4/20
    [InlineData(8, 1, 4, 0.5)]                   // 1 - C(7,4)/C(8,4) = 1 - 35/70
    [InlineData(20, 5, 10, 1 - 3003.0 / 184756)] // 1 - C(15,10)/C(20,10)
    [InlineData(4, 0, 2, 0.0)]                   // nothing correct
    [InlineData(4, 3, 2, 1.0)]                   // fewer than k wrong: every draw of 2 holds a correct one
    [InlineData(3, 3, 3, 1.0)]
    [InlineData(1, 1, 1, 1.0)]
    public void Estimate_matches_the_hand_computed_value(int n, int c, int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void Large_n_does_not_overflow()
    {
        // C(900, 100) and C(1000, 100) overflow a double; their ratio is the product over j < k of (n-c-j) / (n-j),
        // a different factorisation from the estimator's, summed in log space here.
        var logRatio = Enumerable.Range(0, 100).Sum(j => Math.Log((900.0 - j) / (1000.0 - j)));
        var value = PassAtK.Estimate(1000, 100, 100);
        Assert.Equal(1 - Math.Exp(logRatio), value, 9);
        Assert.True(value < 1);
    }

    [Fact]
    public void Mean_averages_the_per_problem_estimates()
    {
        // n = 4, k = 2: c = 0 -> 0, c = 1 -> 1 - C(3,2)/C(4,2) = 0.5, c = 4 -> 1.
        Assert.Equal((0 + 0.5 + 1) / 3, PassAtK.Mean([0, 1, 4], samples: 4, k: 2), 12);
        Assert.Equal(0, PassAtK.Mean([], samples: 4, k: 2));
    }

    [Theory]
    [InlineData(0, 0, 1, "samples")]
    [InlineData(4, 1, 0, "k")]
    [InlineData(4, 1, 5, "k")]
    [InlineData(4, 5, 1, "correct")]
    [InlineData(4, -1, 1, "correct")]
    public void Out_of_range_arguments_are_refused_naming_them(int n, int c, int k, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(n, c, k));
        Assert.Equal(parameter, error.ParamName);
    }
}
