using Grpo.Core.Registries;
using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>
/// Any JSON-lines file with a prompt and a non-empty answer per line; the other fields are each example's metadata.
/// Completions are checked by <c>answer_check</c>: <see cref="MathAnswerReward"/> by default, which accepts numbers, "#### N" and <c>\boxed{}</c> answers.
/// </summary>
[GrpoComponent("jsonl", Description = "Your own JSON lines (path, prompt_field = question, answer_field = answer, answer_check = math|exact|numeric); other fields are metadata.")]
public sealed class JsonlPromptTask(ComponentArguments arguments, TaskSettings settings)
    : PromptTask(DatasetFileArguments.Jsonl(arguments, settings, AnswerStyle.Any, "jsonl"), DatasetFileArguments.AnswerCheck(arguments), AnyMarkerPattern)
{
    /// <summary>Either answer marker: <c>\boxed{</c> or "####".</summary>
    public const string AnyMarkerPattern = @"\\boxed\{|####";
}
