using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>
/// Where a run's prompts come from and how their answers are checked: a training set read in a fixed order, a
/// held-out set for evaluation, and the task's own answer check. Selected by name from
/// <see cref="Registries.GrpoRegistries.Tasks"/>; run-wide settings arrive as <see cref="TaskSettings"/>.
/// </summary>
public interface IPromptTask
{
    IReadOnlyList<TaskExample> Train { get; }

    /// <summary>Examples never trained on, at most <see cref="TaskSettings.HeldOutSize"/> of them.</summary>
    IReadOnlyList<TaskExample> HeldOut { get; }

    /// <summary>
    /// The prompts of training step <paramref name="step"/>: a function of the seed and the step only, so a retried
    /// or resumed step sees the same ones.
    /// </summary>
    IReadOnlyList<TaskExample> Batch(long step, int count);

    /// <summary>
    /// Fresh prompts for dynamic sampling's round <paramref name="round"/> (1, 2, ...) of a step: a function of seed,
    /// step and round only, so a retried step oversamples the same prompts.
    /// </summary>
    IReadOnlyList<TaskExample> Replacements(long step, int round, int count);

    /// <summary>
    /// The task's correctness check: 1 for a right answer, 0 for a wrong one. Accuracy and evaluation count a
    /// completion correct through <see cref="Correctness"/> on this reward alone, whatever the training reward adds.
    /// </summary>
    IRewardFunction AnswerReward { get; }

    /// <summary>The regular expression the <c>format</c> reward looks for when the configuration gives none: the task's answer marker.</summary>
    string FormatPattern { get; }
}
