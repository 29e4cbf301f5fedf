using Grpo.Core.Registries;

namespace Grpo.Core.Algorithm;

/// <summary>
/// REINFORCE++-baseline (Hu et al. 2025, arXiv:2501.03262), as veRL's
/// <c>compute_reinforce_plus_plus_baseline_outcome_advantage</c>: subtract the group mean (a lone completion's
/// baseline is 0), then whiten over the whole step, <c>x_i = r_i − mean_group(r)</c>,
/// <c>A_i = (x_i − mean_batch(x)) / √(var_batch(x) + 1e-8)</c> with the Bessel-corrected variance of veRL's
/// <c>masked_whiten</c>. Normalising by the batch rather than each group keeps a group with a small spread from getting
/// outsized advantages. veRL whitens the advantage repeated over each completion's tokens, which weighs a completion by
/// its length; here each completion counts once (identical when the completions are equally long). A group of two or
/// more equal rewards gets exactly 0.
/// </summary>
[GrpoComponent("reinforce_pp_baseline", Description = "REINFORCE++-baseline: subtract the group mean, then whiten by the whole batch's std.")]
public sealed record ReinforcePlusPlusBaselineAdvantageEstimator : IAdvantageEstimator
{
    /// <summary>veRL's masked_whiten adds this to the variance before the square root.</summary>
    const double VarianceEps = 1e-8;

    public AdvantageResult Compute(float[] rewards, int groupSize)
    {
        RewardGroups.Validate(rewards, groupSize);
        var groups = rewards.Length / groupSize;
        var centred = new double[rewards.Length];
        var silent = new bool[groups];
        var zeroStdGroups = 0;
        for (var g = 0; g < groups; g++)
        {
            var group = rewards.AsSpan(g * groupSize, groupSize);
            var equal = RewardGroups.AllEqual(group);
            if (equal)
                zeroStdGroups++;
            if (equal && groupSize > 1)
            {
                // x is exactly 0 here; leaving it at 0 keeps a rounding residue out of the batch statistics.
                silent[g] = true;
                continue;
            }

            var baseline = groupSize == 1 ? 0.0 : RewardGroups.Mean(group);
            for (var i = 0; i < groupSize; i++)
                centred[g * groupSize + i] = group[i] - baseline;
        }

        var mean = RewardGroups.Mean(centred);
        var scale = Math.Sqrt(RewardGroups.UnbiasedVariance(centred, mean) + VarianceEps);
        var advantages = new float[rewards.Length];
        for (var i = 0; i < rewards.Length; i++)
            advantages[i] = silent[i / groupSize] ? 0f : (float)((centred[i] - mean) / scale);

        return new AdvantageResult(advantages, zeroStdGroups, (float)zeroStdGroups / groups);
    }
}
