using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>Per-token estimates of KL(πθ ‖ πref) from sampled tokens (Schulman, "Approximating KL divergence").</summary>
internal static class PerTokenKl
{
    /// <param name="logProbs">logπθ of the sampled tokens; gradient flows through it.</param>
    /// <param name="refLogProbs">logπref of the same tokens; treated as a constant.</param>
    public static torch.Tensor Estimate(torch.Tensor logProbs, torch.Tensor refLogProbs, KlEstimator estimator)
    {
        using var scope = torch.NewDisposeScope();
        var policyMinusRef = logProbs - refLogProbs;
        var estimate = estimator switch
        {
            KlEstimator.K1 => policyMinusRef.alias(),
            KlEstimator.K2 => 0.5 * policyMinusRef.square(),
            // exp(x) - x - 1 with x = logπref - logπθ = -policyMinusRef.
            KlEstimator.K3 => (-policyMinusRef).exp() + policyMinusRef - 1.0,
            _ => throw new ArgumentException($"Unknown KL estimator {(int)estimator}.", nameof(estimator)),
        };
        return estimate.MoveToOuterDisposeScope();
    }
}
