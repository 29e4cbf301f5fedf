using System.Text.Json;
using Grpo.Core.Registries;
using Grpo.Core.Rewards;
using Grpo.Core.Tasks;
using Grpo.Core.Tokenization;
using Grpo.Core.Training;

namespace Grpo.Core.Tests.Tasks;

/// <summary>
/// One definition of "correct": in-run accuracy (<see cref="PolicyEvaluator.ScoreAsync"/> on the task's answer check)
/// and grpo eval (<see cref="PolicyEvaluator.JudgeAsync"/> with the training reward) must agree on every completion,
/// including those where the weighted training reward alone would say otherwise.
/// </summary>
public sealed class CorrectnessTests
{
    [Theory]
    // Right answer, right format: every definition agrees.
    [InlineData("9", true)]
    // Wrong answer with the format bonus: the training reward is 1, which "reward >= 1" would count as correct.
    [InlineData("7", false)]
    // Right answer cut down by the length penalty: the training reward is 0, which "reward >= 1" would count as wrong.
    [InlineData("9          ", true)]
    // Right answer that only the task's check accepts (ExactMatch trims), and a wrong one with the same length.
    [InlineData(" 9 ", true)]
    [InlineData(" 8 ", false)]
    public async Task Eval_and_in_run_accuracy_count_the_same_completions_correct(string completion, bool expected)
    {
        var services = new ComponentServices().With(new TaskSettings(Seed: 0, HeldOutSize: 0))
            .With(new CompletionBudget(MaxTokens: 8, CharTokenizer.ForArithmetic()));
        var registries = GrpoRegistries.CreateDefault();
        var task = registries.Tasks.Create("arithmetic", new ComponentArguments("task", Json("""{"max_operand": 9}"""), services));
        services.With(task);
        var reward = RewardSet.Build(
        [
            ("answer", new ComponentArguments("rewards[0]", Json("{}"), services)),
            ("format", new ComponentArguments("rewards[1]", Json("""{"pattern": "\\d"}"""), services)),
            ("length", new ComponentArguments("rewards[2]", Json("""{"weight": 2}"""), services)),
        ], registries);
        var example = new TaskExample("4+5=", "9");

        var inRun = await PolicyEvaluator.ScoreAsync(task.AnswerReward, [example], [completion]);
        var eval = await PolicyEvaluator.JudgeAsync(reward, task.AnswerReward, example, completion);

        Assert.Equal(expected, inRun.Correct == 1);
        Assert.Equal(expected, eval.Correct);
        Assert.Equal(expected, await task.IsCorrectAsync(example, completion));
        Assert.Equal(await reward.ScoreAsync(example.RewardInputFor(completion)), eval.Reward);
    }

    [Fact]
    public void Full_marks_are_what_is_correct()
    {
        Assert.True(Correctness.IsCorrect(1f));
        Assert.True(Correctness.IsCorrect(1.5f));
        Assert.False(Correctness.IsCorrect(0.999f));
        Assert.False(Correctness.IsCorrect(0f));
    }

    static Dictionary<string, JsonElement> Json(string json) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;
}
