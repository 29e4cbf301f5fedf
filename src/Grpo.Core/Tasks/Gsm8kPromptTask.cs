using Grpo.Core.Registries;
using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>GSM8K-style JSON lines: every reference answer ends in "#### N"; completions are checked numerically.</summary>
[GrpoComponent("gsm8k", Description = "JSON lines whose answers end in \"#### N\" (path, prompt_field, answer_field); checked numerically.")]
public sealed class Gsm8kPromptTask(ComponentArguments arguments, TaskSettings settings)
    : PromptTask(DatasetFileArguments.Jsonl(arguments, settings, AnswerStyle.Gsm8k, "gsm8k"), new NumericAnswerReward(), FinalAnswerPattern)
{
    /// <summary>A "#### N" final answer line.</summary>
    public const string FinalAnswerPattern = @"####\s*-?[\d,]*\.?\d+";
}
