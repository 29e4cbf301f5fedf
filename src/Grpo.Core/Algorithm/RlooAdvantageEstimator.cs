using Grpo.Core.Registries;

namespace Grpo.Core.Algorithm;

/// <summary>
/// REINFORCE Leave-One-Out (Kool et al. 2019, "Buy 4 REINFORCE samples, get a baseline for free!"; Ahmadian et al.
/// 2024, arXiv:2402.14740): each completion's baseline is the mean reward of the other completions of its prompt,
/// <c>A_i = r_i − mean_{j≠i} r_j = G/(G−1)·(r_i − mean_group(r))</c>, as veRL's <c>compute_rloo_outcome_advantage</c>.
/// The baseline does not depend on r_i, so the gradient estimate stays unbiased; there is no division by a spread.
/// A group of equal rewards gets exactly 0.
/// </summary>
[GrpoComponent("rloo", Description = "Leave-one-out baseline: r_i − mean of the other rewards of the prompt = G/(G−1)·(r_i − group mean).")]
public sealed record RlooAdvantageEstimator : IAdvantageEstimator
{
    public AdvantageResult Compute(float[] rewards, int groupSize)
    {
        RewardGroups.Validate(rewards, groupSize);
        // veRL passes a lone completion's raw reward through as its advantage; a baseline of no other rewards is
        // undefined, so a group size of 1 is refused instead of silently becoming plain REINFORCE.
        if (groupSize < 2)
            throw new ArgumentException(
                $"rloo needs at least 2 completions per prompt (groupSize is {groupSize}): a completion's baseline is the mean reward of the others.",
                nameof(groupSize));

        // r_i − mean of the others = G/(G−1) · (r_i − group mean).
        var divisor = (groupSize - 1.0) / groupSize;
        return RewardGroups.Centred(rewards, groupSize, _ => divisor);
    }
}
