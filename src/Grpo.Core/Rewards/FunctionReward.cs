namespace Grpo.Core.Rewards;

/// <summary>A reward written as a function of prompt, completion and reference answer, for rewards defined in a few lines of host code.</summary>
public sealed class FunctionReward(string name, Func<string, string, string?, float> score) : IRewardFunction
{
    readonly Func<string, string, string?, float> score = score ?? throw new ArgumentNullException(nameof(score));

    public string Name { get; } = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("A reward needs a name.", nameof(name)) : name;

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ValueTask.FromResult(score(input.Prompt, input.Completion, input.Answer));
    }
}
