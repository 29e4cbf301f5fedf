using Grpo.Core.Registries;

namespace Grpo.Core.Rewards;

/// <summary>1 when the trimmed completion equals the trimmed reference answer (ordinal), else 0; 0 without a reference.</summary>
[GrpoComponent("exact_match", Description = "1 when the trimmed completion equals the trimmed reference answer, else 0.")]
public sealed class ExactMatchReward : IRewardFunction
{
    public string Name => "exact_match";

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        var match = input.Answer is not null && string.Equals(input.Completion.Trim(), input.Answer.Trim(), StringComparison.Ordinal);
        return ValueTask.FromResult(match ? 1f : 0f);
    }
}
