using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// Truncated importance sampling (TIS; Yao et al., "Your Efficient RL Framework Secretly Brings You Off-Policy RL
/// Training", 2025): each token's policy-gradient loss is multiplied by the constant
/// <c>w = min(π_learner_old / π_rollout, C)</c>, the ratio taken per token or per sequence (the product of the token
/// ratios, <see cref="RolloutCorrectionLevel.Sequence"/>). This is veRL's <c>compute_rollout_correction_weights</c>
/// (<c>rollout_is: token|sequence</c>, <c>rollout_is_threshold</c> = C, default 2.0, truncated from above only, detached)
/// and TRL's <c>vllm_importance_sampling_mode: token_truncate|sequence_truncate</c> with <c>clip_min</c> unset.
/// Truncating only from above keeps the bias one-sided: tokens the rollout over-sampled are down-weighted freely, while
/// an under-sampled token's weight cannot blow up the variance.
/// </summary>
[GrpoComponent("tis", Description = "Truncated importance sampling: loss × min(π_learner_old/π_rollout, cap), per token or sequence (level).")]
public sealed record TruncatedImportanceSampling : IRolloutCorrection
{
    /// <summary>veRL's default <c>rollout_is_threshold</c>.</summary>
    public const double DefaultCap = 2.0;

    readonly double cap = DefaultCap;

    public TruncatedImportanceSampling()
    {
    }

    /// <summary>Reads <c>level</c> (token or sequence) and <c>cap</c> (C &gt; 0).</summary>
    public TruncatedImportanceSampling(ComponentArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        Level = RolloutCorrectionRatio.ReadLevel(arguments);
        Cap = RolloutCorrectionRatio.ReadPositive(arguments, "cap", DefaultCap);
    }

    public RolloutCorrectionLevel Level { get; init; }

    /// <summary>C: the largest weight a token can get.</summary>
    public double Cap
    {
        get => cap;
        init => cap = RolloutCorrectionRatio.Positive(value, "TIS", "cap", nameof(Cap));
    }

    public RolloutCorrectionWeights Weights(RolloutCorrectionInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var ratio = RolloutCorrectionRatio.Of(inputs, Level);
        return new RolloutCorrectionWeights(ratio.clamp_max(Cap), ratio.gt(Cap).to_type(inputs.Mask.dtype));
    }
}
