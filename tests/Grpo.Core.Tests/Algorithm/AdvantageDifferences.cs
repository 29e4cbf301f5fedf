using Grpo.Core.Algorithm;

namespace Grpo.Core.Tests.Algorithm;

/// <summary>Finite-difference derivatives of an advantage estimator with respect to the rewards.</summary>
internal static class AdvantageDifferences
{
    /// <summary>
    /// J[i, j] = ∂A_i/∂r_j by central differences. A power-of-two step keeps r ± step exact in float, so the only
    /// error besides the O(step²) truncation is the float rounding of the advantages, about 1e-7 / (2 · step).
    /// </summary>
    public static double[,] Jacobian(IAdvantageEstimator estimator, float[] rewards, int groupSize, float step = 1f / 128)
    {
        var jacobian = new double[rewards.Length, rewards.Length];
        for (var j = 0; j < rewards.Length; j++)
        {
            var original = rewards[j];
            rewards[j] = original + step;
            var above = estimator.Compute(rewards, groupSize).Advantages;
            rewards[j] = original - step;
            var below = estimator.Compute(rewards, groupSize).Advantages;
            rewards[j] = original;
            for (var i = 0; i < rewards.Length; i++)
                jacobian[i, j] = ((double)above[i] - below[i]) / (2.0 * step);
        }

        return jacobian;
    }

    public static void AllClose(double[,] expected, double[,] actual, double tolerance)
    {
        for (var i = 0; i < expected.GetLength(0); i++)
            for (var j = 0; j < expected.GetLength(1); j++)
                if (!(Math.Abs(expected[i, j] - actual[i, j]) <= tolerance))
                    Assert.Fail($"∂A_{i}/∂r_{j}: expected {expected[i, j]:R} but got {actual[i, j]:R} (tolerance {tolerance:R})");
    }
}
