namespace Grpo.Core.Rewards;

/// <summary>The weighted total <c>r = Σ w_k r_k</c> and each function's unweighted score by name.</summary>
public sealed record RewardBreakdown(float Total, IReadOnlyDictionary<string, float> Scores);
