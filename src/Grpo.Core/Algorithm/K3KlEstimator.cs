using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// <c>k3 = exp(x) − x − 1</c> with <c>x = logπref − logπθ</c>: unbiased, low variance and never negative (Schulman
/// 2020); the estimator of DeepSeekMath (arXiv:2402.03300, eq. 4) and TRL's GRPOTrainer.
/// </summary>
[GrpoComponent("k3", Description = "exp(logπref − logπθ) − (logπref − logπθ) − 1: unbiased, never negative (DeepSeekMath; the default).")]
public sealed record K3KlEstimator : IKlEstimator
{
    public torch.Tensor Estimate(torch.Tensor logProbs, torch.Tensor refLogProbs)
    {
        var policyMinusRef = logProbs - refLogProbs;
        // exp(x) − x − 1 with x = −policyMinusRef, written as TRL does so that values match it bit for bit.
        return (-policyMinusRef).exp() + policyMinusRef - 1.0;
    }
}
