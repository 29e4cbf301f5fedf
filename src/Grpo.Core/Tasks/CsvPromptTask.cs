using Grpo.Core.Registries;
using Grpo.Core.Rewards;

namespace Grpo.Core.Tasks;

/// <summary>
/// Any CSV file with a header row, a prompt column and a non-empty answer column; the other columns are each
/// example's metadata. Answers are checked as those of the <c>jsonl</c> task, by <c>answer_check</c>.
/// </summary>
[GrpoComponent("csv", Description = "Your own CSV with a header row (path, prompt_column = question, answer_column = answer, answer_check = math|exact|numeric); other columns are metadata.")]
public sealed class CsvPromptTask(ComponentArguments arguments, TaskSettings settings)
    : PromptTask(DatasetFileArguments.Csv(arguments, settings, AnswerStyle.Any, "csv"), DatasetFileArguments.AnswerCheck(arguments), JsonlPromptTask.AnyMarkerPattern);
