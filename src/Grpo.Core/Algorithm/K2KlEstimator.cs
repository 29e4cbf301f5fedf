using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary><c>k2 = ½(logπθ − logπref)²</c>: biased, low variance, never negative (Schulman 2020).</summary>
[GrpoComponent("k2", Description = "½(logπθ − logπref)²: biased, low variance.")]
public sealed record K2KlEstimator : IKlEstimator
{
    public torch.Tensor Estimate(torch.Tensor logProbs, torch.Tensor refLogProbs) => 0.5 * (logProbs - refLogProbs).square();
}
