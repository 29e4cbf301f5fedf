using Grpo.Core.Registries;
using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>MATH-style JSON lines: reference answers hold their final answer in <c>\boxed{}</c> or are that answer.</summary>
[GrpoComponent("math", Description = "JSON lines with \\boxed{} answers (path, prompt_field, answer_field); checked as numbers or normalised LaTeX.")]
public sealed class MathPromptTask(ComponentArguments arguments, TaskSettings settings)
    : PromptTask(DatasetFileArguments.Jsonl(arguments, settings, AnswerStyle.Boxed, "math"), new MathAnswerReward(), BoxedPattern)
{
    /// <summary>A <c>\boxed{</c> answer.</summary>
    public const string BoxedPattern = @"\\boxed\{";
}
