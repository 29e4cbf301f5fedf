using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// veRL's <c>low_var_kl</c> (<c>kl_penalty_forward</c> in verl/trainer/ppo/core_algos.py): k3 with both ends bounded.
/// <c>x = clamp(logπref − logπθ, −20, 20)</c>, <c>kl = clamp(exp(x) − x − 1, −10, 10)</c>. A token the policy has
/// moved far from the reference (k3 above 10, i.e. x above ≈ 2.61 or below ≈ −11.0) then adds a constant β·10 and no
/// gradient, so one runaway token cannot dominate the penalty; the inner clamp keeps exp from overflowing.
/// </summary>
[GrpoComponent("low_var_kl", Description = "veRL's low_var_kl: k3 with the log-ratio clamped to ±20 and the estimate clamped to [−10, 10].")]
public sealed record LowVarKlEstimator : IKlEstimator
{
    const double LogRatioLimit = 20.0;
    const double EstimateLimit = 10.0;

    public torch.Tensor Estimate(torch.Tensor logProbs, torch.Tensor refLogProbs)
    {
        var refMinusPolicy = (refLogProbs - logProbs).clamp(-LogRatioLimit, LogRatioLimit);
        return (refMinusPolicy.exp() - refMinusPolicy - 1.0).clamp(-EstimateLimit, EstimateLimit);
    }
}
