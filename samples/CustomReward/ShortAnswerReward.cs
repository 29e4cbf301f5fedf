using Grpo.Core.Rewards;

namespace Grpo.Samples.CustomReward;

/// <summary>
/// A reward of the user's own: 1 for an answer of at most as many characters as the reference, falling by 0.25 for
/// every character more. Any class that implements IRewardFunction can be a reward.
/// </summary>
public sealed class ShortAnswerReward : IRewardFunction
{
    public string Name => "short_answer";

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        var extra = input.Completion.Trim().Length - (input.Answer ?? "").Length;
        return ValueTask.FromResult(Math.Max(0f, 1f - 0.25f * Math.Max(0, extra)));
    }
}
