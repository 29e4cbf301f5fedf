using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>A rollout correction's verdict per token, both [completions, tokens].</summary>
/// <param name="Weight">The multiplier of each token's policy-gradient loss; the objective detaches it.</param>
/// <param name="Corrected">1 where the correction changed the token's weight from its raw ratio (truncated or masked out), else 0.</param>
public sealed record RolloutCorrectionWeights(torch.Tensor Weight, torch.Tensor Corrected);
