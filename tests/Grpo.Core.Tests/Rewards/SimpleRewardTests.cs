using Grpo.Core.Rewards;
using Grpo.Core.Tokenization;

namespace Grpo.Core.Tests.Rewards;

public sealed class SimpleRewardTests
{
    private static float Score(IRewardFunction reward, string completion, string? answer = null) =>
        reward.ScoreAsync(new RewardInput("prompt", completion, answer)).AsTask().Result;

    [Theory]
    [InlineData("85", "85", 1f)]
    [InlineData("  85\n", "85", 1f)]
    [InlineData("85", " 85 ", 1f)]
    [InlineData("86", "85", 0f)]
    [InlineData("850", "85", 0f)]
    [InlineData("", "85", 0f)]
    public void ExactMatchComparesTrimmedText(string completion, string answer, float expected) =>
        Assert.Equal(expected, Score(new ExactMatchReward(), completion, answer));

    [Fact]
    public void ExactMatchWithoutReferenceScoresZero() => Assert.Equal(0f, Score(new ExactMatchReward(), "85", null));

    [Fact]
    public void FormatRewardSearchesOrFullMatches()
    {
        var search = new FormatReward(@"<think>.*</think>", score: 0.5f);
        var full = new FormatReward(@"<think>.*</think>\s*\\boxed\{.*\}", fullMatch: true);

        Assert.Equal(0.5f, Score(search, "x <think>a\nb</think> y"));
        Assert.Equal(0f, Score(search, "no tags"));
        Assert.Equal(1f, Score(full, "<think>a\nb</think>\n\\boxed{3}"));
        Assert.Equal(0f, Score(full, "preamble <think>a</think> \\boxed{3}"));
        Assert.Equal(0f, Score(full, "<think>a</think> \\boxed{3} trailing"));
    }

    [Fact]
    public void FormatRewardRejectsInvalidPattern()
    {
        var error = Assert.Throws<ArgumentException>(() => new FormatReward("(unclosed"));
        Assert.Contains("(unclosed", error.Message);
    }

    [Theory]
    [InlineData(5, 0f)]       // below target
    [InlineData(10, 0f)]      // at target
    [InlineData(15, -0.25f)]  // (15 - 10) / 20
    [InlineData(30, -1f)]     // target + window
    [InlineData(100, -1f)]    // clamped
    public void LengthPenaltyIsLinearAndClamped(int length, float expectedFraction)
    {
        const float maxPenalty = 2f;
        var reward = new LengthPenalty(targetLength: 10, window: 20, maxPenalty: maxPenalty);

        Assert.Equal(expectedFraction * maxPenalty, Score(reward, new string('a', length)), 5);
    }

    [Fact]
    public void LengthPenaltyCanCountTokens()
    {
        // One char-token per character: 6 tokens → 0, 8 → -(8-6)/4, 10 → -(10-6)/4.
        var reward = new LengthPenalty(targetLength: 6, window: 4, tokenizer: CharTokenizer.ForArithmetic());

        Assert.Equal(0f, Score(reward, "1+2=3 "));
        Assert.Equal(-0.5f, Score(reward, "1+2=3 12"), 5);
        Assert.Equal(-1f, Score(reward, "1+2=3 1234"), 5);
    }
}
