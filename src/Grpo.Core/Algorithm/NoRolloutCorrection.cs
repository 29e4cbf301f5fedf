using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// No correction: every token keeps weight 1, so the objective is exactly what it is without a correction (multiplying
/// by 1 changes no bit). The mismatch is still measured and logged.
/// </summary>
[GrpoComponent("none", Description = "No rollout correction (the default); the rollout/learner mismatch is still logged.")]
public sealed record NoRolloutCorrection : IRolloutCorrection
{
    public RolloutCorrectionWeights Weights(RolloutCorrectionInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return new RolloutCorrectionWeights(torch.ones_like(inputs.Mask), torch.zeros_like(inputs.Mask));
    }
}
