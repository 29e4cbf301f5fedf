namespace Grpo.Client.Eval;

/// <summary>
/// The unbiased pass@k estimator of Chen et al. (2021, "Evaluating Large Language Models Trained on Code"): with n
/// samples of which c are correct, pass@k = 1 - C(n-c, k) / C(n, k), computed as a product so large n cannot overflow.
/// </summary>
public static class PassAtK
{
    /// <exception cref="ArgumentOutOfRangeException">k is not in 1..n or c is not in 0..n.</exception>
    public static double Estimate(int samples, int correct, int k)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "n (samples per problem) must be at least 1.");
        if (k < 1 || k > samples) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..{samples} (the samples per problem).");
        if (correct < 0 || correct > samples) throw new ArgumentOutOfRangeException(nameof(correct), correct, $"correct must be in 0..{samples}.");
        // Fewer wrong samples than k: every draw of k contains a correct one.
        if (samples - correct < k) return 1.0;
        // C(n-c, k) / C(n, k) = prod over i in (n-c, n] of (1 - k / i).
        var allWrong = 1.0;
        for (var i = samples - correct + 1; i <= samples; i++) allWrong *= 1.0 - (double)k / i;
        return 1.0 - allWrong;
    }

    /// <summary>The mean of the per-problem estimates.</summary>
    public static double Mean(IReadOnlyList<int> correctPerProblem, int samples, int k)
    {
        ArgumentNullException.ThrowIfNull(correctPerProblem);
        return correctPerProblem.Count == 0 ? 0 : correctPerProblem.Average(correct => Estimate(samples, correct, k));
    }
}
