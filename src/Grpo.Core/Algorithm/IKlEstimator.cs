using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// A per-token estimate of KL(πθ ‖ πref) from the sampled tokens alone (Schulman, "Approximating KL divergence",
/// 2020, http://joschu.net/blog/kl-approx.html), added to the loss as β·KL. Implementations are selected by name from
/// <see cref="Registries.GrpoRegistries.KlEstimators"/>.
/// </summary>
public interface IKlEstimator
{
    /// <param name="logProbs">[completions, tokens] logπθ of the sampled tokens, zero at padding; gradient flows through it.</param>
    /// <param name="refLogProbs">[completions, tokens] logπref of the same tokens, zero at padding; a constant.</param>
    /// <returns>[completions, tokens]; 0 at padding. Runs inside the objective's dispose scope, which frees what it creates.</returns>
    torch.Tensor Estimate(torch.Tensor logProbs, torch.Tensor refLogProbs);
}
