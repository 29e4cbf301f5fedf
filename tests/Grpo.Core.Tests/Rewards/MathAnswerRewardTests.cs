using Grpo.Core.Rewards;

namespace Grpo.Core.Tests.Rewards;

public sealed class MathAnswerRewardTests
{
    [Theory]
    [InlineData("The answer is \\boxed{\\dfrac{1}{2}}.", "We get $\\boxed{\\frac12}$", 0f)] // different LaTeX spelling of another value is not guessed at
    [InlineData("The answer is \\boxed{\\dfrac{1}{2}}.", "so \\boxed{\\frac{1}{2}}", 1f)]
    [InlineData("\\boxed{0.5}", "\\boxed{\\frac{1}{2}}", 1f)]
    [InlineData("\\boxed{x^2 + 1}", "Thus \\boxed{x^{2}+1}", 0f)]
    [InlineData("\\boxed{x^2 + 1}", "Thus \\boxed{x^2+1}", 1f)]
    [InlineData("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}", "\\boxed{(3,\\frac{\\pi}{2})}", 1f)]
    [InlineData("so it is 72", "Natalia sold 72 clips.\n#### 72", 1f)]
    [InlineData("#### 1,000", "#### 1000", 1f)]
    [InlineData("\\boxed{\\text{odd}}", "\\boxed{\\text{even}}", 0f)]
    [InlineData("no answer at all", "\\boxed{3}", 0f)]
    public void Scores_the_final_answer_against_the_reference(string completion, string reference, float expected) =>
        Assert.Equal(expected, new MathAnswerReward().Score(completion, reference));
}
