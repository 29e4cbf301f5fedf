namespace Grpo.Core.Rewards;

/// <summary>A reward under the name the configuration gave it, which keys its score in a <see cref="RewardBreakdown"/>.</summary>
public sealed class NamedReward(string name, IRewardFunction inner) : IRewardFunction
{
    public string Name { get; } = !string.IsNullOrWhiteSpace(name) ? name : throw new ArgumentException("A reward name must not be empty.", nameof(name));

    public IRewardFunction Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) => Inner.ScoreAsync(input, cancellationToken);
}
