using Microsoft.ML.Tokenizers;

namespace Grpo.Core.Rewards;

/// <summary>
/// Penalises completions longer than a target. With L the completion length (characters, or tokens when a
/// tokenizer is given), T = <c>targetLength</c> and W = <c>window</c>:
/// <c>r = -maxPenalty · clamp((L - T) / W, 0, 1)</c>, i.e. 0 up to T, falling linearly to -maxPenalty at T + W and
/// staying there.
/// </summary>
public sealed class LengthPenalty : IRewardFunction
{
    private readonly int _targetLength;
    private readonly int _window;
    private readonly float _maxPenalty;
    private readonly Tokenizer? _tokenizer;

    public LengthPenalty(int targetLength, int window, float maxPenalty = 1, Tokenizer? tokenizer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(targetLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        ArgumentOutOfRangeException.ThrowIfNegative(maxPenalty);
        (_targetLength, _window, _maxPenalty, _tokenizer) = (targetLength, window, maxPenalty, tokenizer);
    }

    public string Name => "length_penalty";

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        var length = _tokenizer?.CountTokens(input.Completion) ?? input.Completion.Length;
        var excess = Math.Clamp((length - _targetLength) / (float)_window, 0f, 1f);
        return ValueTask.FromResult(-_maxPenalty * excess);
    }
}
