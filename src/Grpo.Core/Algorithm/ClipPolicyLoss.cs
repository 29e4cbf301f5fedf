using Grpo.Core.Registries;
using TorchSharp;
using static TorchSharp.torch;

namespace Grpo.Core.Algorithm;

/// <summary>
/// The PPO clipped surrogate that GRPO uses (Schulman et al. 2017, arXiv:1707.06347; Shao et al. 2024,
/// arXiv:2402.03300, eq. 3): <c>loss_t = −min(ρ_t·A, clip(ρ_t, 1−ε_low, 1+ε_high)·A)</c>, as TRL's GRPOTrainer
/// computes it for <c>loss_type</c> grpo/bnpo/dr_grpo/dapo. The gradient vanishes where the clip is the pessimistic
/// branch: ρ above the range with A &gt; 0, below it with A &lt; 0.
/// </summary>
[GrpoComponent("clip", Description = "PPO/GRPO clipped surrogate −min(ρA, clip(ρ, 1−ε_low, 1+ε_high)A) (the default).")]
public sealed record ClipPolicyLoss : IPolicyLoss
{
    public Tensor PerTokenLoss(PolicyLossInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var clippedRatio = inputs.Ratio.clamp(inputs.LowerBound, inputs.UpperBound);
        return -minimum(inputs.Ratio * inputs.Advantages, clippedRatio * inputs.Advantages);
    }
}
