using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// Every unmasked token of the batch weighs the same: <c>Σ_{i,t} loss_{i,t} / Σ_i |o_i|</c> (TRL's
/// <c>loss_type</c> bnpo and dapo, veRL's <c>token-mean</c>; DAPO, arXiv:2503.14476, §3.3). TRL's dapo divides by
/// the token count of the whole global batch across processes and accumulation steps, bnpo by the local one; a single
/// learner sees both as the same batch, so both names select this aggregation.
/// </summary>
[GrpoComponent("bnpo", Description = "Sum over all tokens / unmasked tokens in the batch.")]
[GrpoComponent("dapo", Description = "DAPO's token-level loss: sum over all tokens / unmasked tokens in the batch.")]
public sealed record TokenMeanAggregation : ILossAggregation
{
    public torch.Tensor Aggregate(LossAggregationInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var total = inputs.MaskedLoss.sum();
        return inputs.MinibatchTokens is { } minibatchTokens
            ? total / (double)Math.Max(minibatchTokens, 1L)
            : total / inputs.Mask.sum().clamp_min(1.0);
    }
}
