using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// What a <see cref="ILossAggregation"/> reduces. With gradient accumulation the tensors hold one micro-batch of a
/// minibatch, and <see cref="MinibatchCompletions"/> and <see cref="MinibatchTokens"/> describe the whole minibatch, so
/// that an aggregation can divide by the minibatch's counts and the micro-batch losses add up to the minibatch loss.
/// </summary>
/// <param name="MaskedLoss">[completions, tokens] per-token loss (policy loss + β·KL), exactly 0 at padding; carries the gradient.</param>
/// <param name="Mask">[completions, tokens] 1 for tokens that count, 0 for padding, in the loss's dtype.</param>
/// <param name="Lengths">[completions] unmasked tokens per completion (0 for a fully masked one).</param>
/// <param name="MaxCompletionTokens">The generation budget per completion (<see cref="GrpoOptions.MaxCompletionTokens"/>); 0 when not set.</param>
/// <param name="MinibatchCompletions">Completions of the whole minibatch these rows belong to; null when the rows are the whole minibatch.</param>
/// <param name="MinibatchTokens">Unmasked tokens of the whole minibatch; null when the rows are the whole minibatch.</param>
public sealed record LossAggregationInputs(
    torch.Tensor MaskedLoss,
    torch.Tensor Mask,
    torch.Tensor Lengths,
    int MaxCompletionTokens,
    int? MinibatchCompletions = null,
    long? MinibatchTokens = null)
{
    /// <summary>The completion count a per-completion mean divides by: the minibatch's, or these rows' own.</summary>
    public long CompletionsInMinibatch => MinibatchCompletions ?? MaskedLoss.shape[0];
}
