namespace Grpo.Core.Algorithm;

/// <summary>Per-completion advantages plus how many groups carried no learning signal.</summary>
/// <param name="Advantages">One advantage per completion, in the same group-after-group order as the rewards.</param>
/// <param name="ZeroStdGroups">Groups whose rewards are all equal (their advantages are exactly 0).</param>
/// <param name="FractionZeroStd">ZeroStdGroups / number of groups (TRL's <c>frac_zero_std</c>).</param>
public sealed record AdvantageResult(float[] Advantages, int ZeroStdGroups, float FractionZeroStd);
