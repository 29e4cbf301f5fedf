using Grpo.Core.Registries;
using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// Masked importance sampling (MIS), as TRL's <c>vllm_importance_sampling_mode: token_mask|sequence_mask</c>:
/// <c>w = ρ</c> when <c>lower ≤ ρ ≤ cap</c> and 0 otherwise, <c>ρ = π_learner_old / π_rollout</c> per token or per
/// sequence (the product of the token ratios). A token or sequence outside the bounds is masked out of the loss; it
/// still counts in the aggregation's denominator, as in TRL, which zeroes the weight and leaves the completion mask
/// alone. Where TRL leaves the lower bound unset (no lower bound), the default here is veRL's reading of a single
/// threshold C as the band [1/C, C] (<c>_parse_rollout_rs_thresholds</c> in <c>rollout_corr_helper.py</c>); set
/// <c>lower</c> to 0 for TRL's behaviour. Unlike truncation, no kept token's weight is biased, at the price of
/// dropping the most off-policy ones entirely.
/// </summary>
[GrpoComponent("mis", Description = "Masked importance sampling: loss × ρ where lower ≤ ρ ≤ cap, else 0 (ρ = π_learner_old/π_rollout per token or sequence; lower defaults to 1/cap).")]
public sealed record MaskedImportanceSampling : IRolloutCorrection
{
    public const double DefaultCap = TruncatedImportanceSampling.DefaultCap;

    readonly double cap = DefaultCap;
    readonly double? lower;

    public MaskedImportanceSampling()
    {
    }

    /// <summary>Reads <c>level</c> (token or sequence), <c>cap</c> (upper bound &gt; 0) and <c>lower</c> (in [0, cap), default 1/cap).</summary>
    public MaskedImportanceSampling(ComponentArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        Level = RolloutCorrectionRatio.ReadLevel(arguments);
        Cap = RolloutCorrectionRatio.ReadPositive(arguments, "cap", DefaultCap);
        var lowerBound = arguments.GetDouble("lower", 1.0 / Cap);
        if (!(lowerBound >= 0.0 && lowerBound < Cap))
            throw new ComponentException($"{arguments.Path}.lower",
                $"must be a number in [0, cap) = [0, {RolloutCorrectionRatio.Show(Cap)}), got {RolloutCorrectionRatio.Show(lowerBound)}");
        Lower = lowerBound;
    }

    public RolloutCorrectionLevel Level { get; init; }

    /// <summary>Upper bound: a ratio above it is masked.</summary>
    public double Cap
    {
        get => cap;
        init => cap = RolloutCorrectionRatio.Positive(value, "MIS", "cap", nameof(Cap));
    }

    /// <summary>Lower bound: a ratio below it is masked; null means 1/<see cref="Cap"/>.</summary>
    public double? Lower
    {
        get => lower;
        init => lower = value is null || (value >= 0.0 && double.IsFinite(value.Value))
            ? value
            : throw new ArgumentException($"MIS's lower must be null or a finite number >= 0 (it is {RolloutCorrectionRatio.Show(value.Value)}).", nameof(Lower));
    }

    /// <summary>The lower bound in use.</summary>
    public double EffectiveLower => Lower ?? 1.0 / Cap;

    public RolloutCorrectionWeights Weights(RolloutCorrectionInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (EffectiveLower >= Cap)
            throw new ArgumentException(
                $"MIS's lower ({RolloutCorrectionRatio.Show(EffectiveLower)}) must be below its cap ({RolloutCorrectionRatio.Show(Cap)}).", nameof(Lower));
        var ratio = RolloutCorrectionRatio.Of(inputs, Level);
        var outside = ratio.lt(EffectiveLower).logical_or(ratio.gt(Cap));
        return new RolloutCorrectionWeights(ratio.masked_fill(outside, 0.0), outside.to_type(inputs.Mask.dtype));
    }
}
