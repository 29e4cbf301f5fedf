using Grpo.Core.Rewards;

namespace Grpo.Core.Tests.Rewards;

public sealed class NumericAnswerRewardTests
{
    private static float Score(string completion, string? answer, bool fallback = true) =>
        new NumericAnswerReward(fallback).ScoreAsync(new RewardInput("q", completion, answer)).AsTask().Result;

    [Theory]
    [InlineData("She sold 48/2 = 24 clips in May.\n#### 72", "72")]
    [InlineData("So the total is \\boxed{72}.", "72")]
    [InlineData("So the total is \\boxed{\\text{72}}.", "72")]
    [InlineData("The answer is \\boxed{\\frac{1}{2}}", "0.5")]
    [InlineData("\\boxed{-\\frac{3}{4}}", "-0.75")]
    [InlineData("#### 1,000", "1000")]
    [InlineData("#### $1,000.00", "1000")]
    [InlineData("#### 72.0", "72.00")]
    [InlineData("The temperature fell to -5 degrees.", "-5")]
    [InlineData("I think it is 3, no wait, 7", "7")]
    [InlineData("#### 72", "Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips.\n#### 72")]
    [InlineData("\\boxed{ 72 }", "$72")]
    public void FinalAnswerEqualToReferenceScoresOne(string completion, string answer) =>
        Assert.Equal(1f, Score(completion, answer));

    [Theory]
    [InlineData("#### 71", "72")]
    [InlineData("I do not know.", "72")]
    [InlineData("\\boxed{72", "72")]
    [InlineData("The answer is \\boxed{seventy-two}", "72")]
    [InlineData("#### -72", "72")]
    [InlineData("72", null)]
    [InlineData("72", "not a number")]
    public void WrongOrMissingAnswerScoresZero(string completion, string? answer)
    {
        // An unbalanced \boxed{72 still contains 72 as the last number, so test it with the fallback disabled.
        var fallback = !completion.StartsWith("\\boxed{72", StringComparison.Ordinal);
        Assert.Equal(0f, Score(completion, answer, fallback));
    }

    [Fact]
    public void BoxedAnswerWinsOverEarlierNumbers() =>
        Assert.Equal(1f, Score("12 + 60 = 72, so \\boxed{72}; check: 100 - 28", "72"));

    [Fact]
    public void WithoutFallbackAPlainNumberIsNotAnAnswer()
    {
        Assert.Equal(0f, Score("the result is 72", "72", fallback: false));
        Assert.Equal(1f, Score("the result is 72", "72", fallback: true));
    }

    [Fact]
    public void ExtractorsHandleNestedBracesAndLastMarker()
    {
        Assert.Equal("\\frac{1}{2}", AnswerExtractor.BoxedAnswer("\\boxed{3} then \\boxed{\\frac{1}{2}}"));
        Assert.Equal("5", AnswerExtractor.Gsm8kAnswer("#### 4\n#### 5"));
        Assert.Null(AnswerExtractor.Gsm8kAnswer("no marker"));
        Assert.Equal("1,234.5", AnswerExtractor.LastNumber("it costs 1,234.5 dollars"));
        Assert.Equal(0.75, AnswerExtractor.ParseNumber("3/4"));
        Assert.Null(AnswerExtractor.ParseNumber("seven"));
    }
}
