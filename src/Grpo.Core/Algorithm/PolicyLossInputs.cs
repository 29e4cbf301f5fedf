using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>What a <see cref="IPolicyLoss"/> computes its per-token loss from; every tensor is [completions, tokens] unless stated.</summary>
/// <param name="LogProbs">logπθ of the sampled tokens, zero at padding; carries the gradient.</param>
/// <param name="LogRatio">log ρ = logπθ − logπ_old per token, or with sequence-level importance sampling the completion's masked mean repeated over its tokens; carries the gradient.</param>
/// <param name="Ratio">ρ = exp(<paramref name="LogRatio"/>).</param>
/// <param name="Advantages">[completions, 1]: one advantage per completion, broadcast over its tokens; constant.</param>
/// <param name="Mask">1 for tokens that count and 0 for padding, in the dtype of <paramref name="LogProbs"/>.</param>
/// <param name="LowerBound">1 − ε_low, the lower edge of the trust region.</param>
/// <param name="UpperBound">1 + ε_high, the upper edge of the trust region.</param>
public sealed record PolicyLossInputs(
    torch.Tensor LogProbs,
    torch.Tensor LogRatio,
    torch.Tensor Ratio,
    torch.Tensor Advantages,
    torch.Tensor Mask,
    double LowerBound,
    double UpperBound);
