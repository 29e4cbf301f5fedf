using Grpo.Core.Rewards;

namespace Grpo.Grains.Rollout;

/// <summary>Scores a completion with the run's reward and keeps the score of each function it combines.</summary>
public static class RewardScoring
{
    /// <summary>
    /// A <see cref="WeightedReward"/> reports each of its functions by name; any other reward is its own single component,
    /// so every completion carries a breakdown whose weighted sum is its reward.
    /// </summary>
    public static async Task<RewardBreakdown> ScoreAsync(IRewardFunction reward, RewardInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reward);
        if (reward is WeightedReward weighted) return await weighted.ScoreWithBreakdownAsync(input, cancellationToken);
        var score = await reward.ScoreAsync(input, cancellationToken);
        return new RewardBreakdown(score, new Dictionary<string, float>(StringComparer.Ordinal) { [reward.Name] = score });
    }
}
