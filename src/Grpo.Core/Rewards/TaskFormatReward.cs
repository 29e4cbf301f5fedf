using Grpo.Core.Registries;
using Grpo.Core.Tasks;

namespace Grpo.Core.Rewards;

/// <summary>
/// The <c>format</c> reward of a run configuration: 1 when the completion matches <c>pattern</c> (default the
/// task's own answer marker, <see cref="IPromptTask.FormatPattern"/>), else 0; with <c>full_match</c> the whole
/// completion must match.
/// </summary>
[GrpoComponent("format", Description = "1 when the completion matches pattern (default: the task's answer marker), else 0; full_match = false.")]
public sealed class TaskFormatReward : IRewardFunction
{
    readonly FormatReward format;

    /// <param name="task">Gives the default pattern; a run without a task must set <c>pattern</c>.</param>
    public TaskFormatReward(ComponentArguments arguments, IPromptTask? task = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var fullMatch = arguments.GetBool("full_match", false);
        Pattern = arguments.GetOptionalString("pattern") ?? task?.FormatPattern
            ?? throw new MissingComponentServiceException($"{arguments.Path}.pattern", "is required: this run has no task whose answer marker could be the default");
        try
        {
            format = new FormatReward(Pattern, fullMatch: fullMatch);
        }
        catch (ArgumentException e)
        {
            throw new ComponentException($"{arguments.Path}.pattern", e.Message, e);
        }
    }

    public string Name => "format";

    public string Pattern { get; }

    public ValueTask<float> ScoreAsync(RewardInput input, CancellationToken cancellationToken = default) => format.ScoreAsync(input, cancellationToken);
}
