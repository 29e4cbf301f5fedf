using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// The DeepSeekMath form (arXiv:2402.03300, eq. 3): <c>(1/G) Σ_i (1/|o_i|) Σ_t loss_{i,t}</c>, the mean over
/// completions of each one's token mean (TRL's <c>loss_type="grpo"</c>, veRL's <c>seq-mean-token-mean</c>). Each
/// completion weighs the same, so a token of a long completion weighs less than one of a short completion.
/// </summary>
[GrpoComponent("grpo", Description = "Mean over completions of each completion's token mean (DeepSeekMath; the default).")]
public sealed record GrpoAggregation : ILossAggregation
{
    public torch.Tensor Aggregate(LossAggregationInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        // A completion with no unmasked token (e.g. truncated and masked) contributes 0, not 0/0. Dividing by the
        // minibatch's completions rather than taking the mean lets micro-batch losses add up to the minibatch's.
        return (inputs.MaskedLoss.sum(-1) / inputs.Lengths.clamp_min(1.0)).sum() / (double)inputs.CompletionsInMinibatch;
    }
}
