using Grpo.Core.Registries;
using Grpo.Core.Rewards;

namespace Grpo.TestPlugin;

/// <summary>1 when the completion has as many digits as the reference answer, else 0: a reward only this plugin knows.</summary>
[GrpoComponent("test_digit_count", Description = "As many digits as the answer (a test plugin's reward).")]
public sealed class DigitCountReward : IRewardFunction
{
    public string Name => "test_digit_count";

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        PluginUse.Count(Name);
        var digits = input.Completion.Count(char.IsAsciiDigit);
        return ValueTask.FromResult(input.Answer is { } answer && digits == answer.Count(char.IsAsciiDigit) ? 1f : 0f);
    }
}
