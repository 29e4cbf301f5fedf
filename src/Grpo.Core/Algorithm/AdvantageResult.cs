namespace Grpo.Core.Algorithm;

/// <summary>Per-completion advantages plus how many groups carried no reward spread.</summary>
/// <param name="Advantages">One advantage per completion, in the same group-after-group order as the rewards.</param>
/// <param name="ZeroStdGroups">
/// Groups whose rewards are all equal, a group of one included: their rewards tell the completions of one prompt
/// nothing apart. Every group-baseline estimator gives such a group (of two or more) advantages of exactly 0.
/// </param>
/// <param name="FractionZeroStd">ZeroStdGroups / number of groups (TRL's <c>frac_reward_zero_std</c>).</param>
public sealed record AdvantageResult(float[] Advantages, int ZeroStdGroups, float FractionZeroStd);
