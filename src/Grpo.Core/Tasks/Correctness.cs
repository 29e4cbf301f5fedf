using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>
/// The one definition of a correct completion, shared by in-run accuracy and <c>grpo eval</c>: the task's answer
/// check (<see cref="IPromptTask.AnswerReward"/>) gives it full marks. The training reward never decides it: a
/// format bonus cannot make a wrong answer correct, nor a length penalty a right one wrong.
/// </summary>
public static class Correctness
{
    /// <summary>The answer score of a right answer.</summary>
    public const float FullMarks = 1f;

    public static bool IsCorrect(float answerScore) => answerScore >= FullMarks;

    /// <summary>Scores <paramref name="completion"/> with the answer check <paramref name="answerReward"/> alone.</summary>
    public static async ValueTask<bool> IsCorrectAsync(IRewardFunction answerReward, TaskExample example, string completion,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answerReward);
        ArgumentNullException.ThrowIfNull(example);
        return IsCorrect(await answerReward.ScoreAsync(example.RewardInputFor(completion), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Whether <paramref name="task"/>'s answer check gives <paramref name="completion"/> full marks.</summary>
    public static ValueTask<bool> IsCorrectAsync(this IPromptTask task, TaskExample example, string completion,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        return IsCorrectAsync(task.AnswerReward, example, completion, cancellationToken);
    }
}
