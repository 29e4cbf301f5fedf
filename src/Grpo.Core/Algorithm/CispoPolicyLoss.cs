using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// CISPO, Clipped IS-weight Policy Optimization (MiniMax-M1, arXiv:2506.13585): REINFORCE weighted by the
/// importance ratio clipped to the trust region with its gradient stopped,
/// <c>loss_t = −sg(clip(ρ_t, 1−ε_low, 1+ε_high))·A·logπθ(o_t)</c>, as veRL's <c>compute_policy_loss_cispo</c>.
/// Unlike the PPO clip, no token loses its gradient: a token outside the range still contributes
/// <c>−clip(ρ_t)·A</c> to <c>∂loss/∂logπθ(o_t)</c>, only with a bounded weight. The loss value itself is not
/// comparable to the clipped surrogate's (it is a log-probability scaled by A); its gradient is what matters.
/// The paper bounds only the top; <c>epsilon = 1</c> (lower edge 0) does the same here.
/// </summary>
[GrpoComponent("cispo", Description = "MiniMax-M1 CISPO: REINFORCE with a clipped, stop-gradient importance weight −sg(clip(ρ))·A·logπθ.")]
public sealed record CispoPolicyLoss : IPolicyLoss
{
    public torch.Tensor PerTokenLoss(PolicyLossInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var weight = inputs.Ratio.clamp(inputs.LowerBound, inputs.UpperBound).detach();
        return -weight * inputs.Advantages * inputs.LogProbs;
    }
}
