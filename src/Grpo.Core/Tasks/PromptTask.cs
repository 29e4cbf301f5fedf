using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>
/// A task given as its split examples, answer check and format pattern, batched in <see cref="TrainingOrder"/>. The
/// built-in tasks derive from it; a plugin task can too, or implement <see cref="IPromptTask"/> itself.
/// </summary>
public class PromptTask : IPromptTask
{
    readonly TaskSplit split;

    public PromptTask(TaskSplit split, IRewardFunction answerReward, string formatPattern)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(answerReward);
        ArgumentNullException.ThrowIfNull(formatPattern);
        if (split.Train.Count == 0) throw new ArgumentException("A task needs at least one training example.", nameof(split));
        this.split = split;
        AnswerReward = answerReward;
        FormatPattern = formatPattern;
    }

    public IReadOnlyList<TaskExample> Train => split.Train;

    public IReadOnlyList<TaskExample> HeldOut => split.HeldOut;

    public IRewardFunction AnswerReward { get; }

    public string FormatPattern { get; }

    public IReadOnlyList<TaskExample> Batch(long step, int count) => TrainingOrder.Batch(split.Train, split.Seed, step, count);

    public IReadOnlyList<TaskExample> Replacements(long step, int round, int count) =>
        TrainingOrder.Replacements(split.Train, split.Seed, step, round, count);
}
