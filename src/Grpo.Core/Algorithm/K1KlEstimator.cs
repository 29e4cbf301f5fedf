using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary><c>k1 = logπθ − logπref</c>: unbiased for KL(πθ ‖ πref) but high variance, and negative on some tokens (Schulman 2020).</summary>
[GrpoComponent("k1", Description = "logπθ − logπref: unbiased, high variance, can be negative.")]
public sealed record K1KlEstimator : IKlEstimator
{
    public torch.Tensor Estimate(torch.Tensor logProbs, torch.Tensor refLogProbs) => logProbs - refLogProbs;
}
