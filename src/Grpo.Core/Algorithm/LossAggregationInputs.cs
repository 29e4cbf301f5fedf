using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>What a <see cref="ILossAggregation"/> reduces.</summary>
/// <param name="MaskedLoss">[completions, tokens] per-token loss (policy loss + β·KL), exactly 0 at padding; carries the gradient.</param>
/// <param name="Mask">[completions, tokens] 1 for tokens that count, 0 for padding, in the loss's dtype.</param>
/// <param name="Lengths">[completions] unmasked tokens per completion (0 for a fully masked one).</param>
/// <param name="MaxCompletionTokens">The generation budget per completion (<see cref="GrpoOptions.MaxCompletionTokens"/>); 0 when not set.</param>
public sealed record LossAggregationInputs(torch.Tensor MaskedLoss, torch.Tensor Mask, torch.Tensor Lengths, int MaxCompletionTokens);
