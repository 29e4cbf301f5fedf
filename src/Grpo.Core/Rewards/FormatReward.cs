using System.Text.RegularExpressions;

namespace Grpo.Core.Rewards;

/// <summary>
/// <paramref name="score"/> when the completion matches <paramref name="pattern"/>, else 0. With
/// <paramref name="fullMatch"/> the whole completion must match (e.g. "&lt;think&gt;.*&lt;/think&gt;\s*\\boxed\{.*\}").
/// </summary>
public sealed class FormatReward : IRewardFunction
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);
    private readonly Regex _regex;
    private readonly float _score;

    public FormatReward(string pattern, float score = 1, bool fullMatch = false, RegexOptions options = RegexOptions.Singleline, string name = "format")
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        try
        {
            _regex = new Regex(fullMatch ? $@"\A(?:{pattern})\z" : pattern, options | RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Format reward pattern \"{pattern}\" is not a valid regular expression: {e.Message}", nameof(pattern), e);
        }
        _score = score;
        Name = name;
    }

    public string Name { get; }

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        cancellationToken.ThrowIfCancellationRequested();
        bool matched;
        try
        {
            matched = _regex.IsMatch(input.Completion);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological completion must not stall training; it simply earns no format reward.
            matched = false;
        }
        return ValueTask.FromResult(matched ? _score : 0f);
    }
}
