namespace Grpo.Core.Rewards;

/// <summary>Scores one completion. Implementations must be thread-safe: many completions are scored concurrently.</summary>
public interface IRewardFunction
{
    string Name { get; }

    ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default);
}
