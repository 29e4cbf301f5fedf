using Grpo.Core.Registries;

namespace Grpo.Core.Tasks;

/// <summary>The parameters of the tasks read from a file: <c>path</c> (required) and the names of the prompt and answer fields.</summary>
internal static class DatasetFileArguments
{
    public static string Path(ComponentArguments arguments)
    {
        var path = arguments.RequireString("path");
        return path.Trim().Length > 0 ? path : throw new ComponentException($"{arguments.Path}.path", "is empty; name the data file");
    }

    /// <summary>The JSON-lines file of <c>path</c> with fields <c>prompt_field</c> (default "question") and <c>answer_field</c> (default "answer").</summary>
    public static TaskSplit Jsonl(ComponentArguments arguments, TaskSettings settings, AnswerStyle style, string task)
    {
        var (path, prompt, answer) = (Path(arguments), Name(arguments, "prompt_field", "question"), Name(arguments, "answer_field", "answer"));
        RefuseUnknown(arguments, task);
        return TaskSplit.Shuffled(JsonlPromptDataset.Load(path, prompt, answer, AnswerStyleCheck.For(style)), settings, path);
    }

    /// <summary>The CSV file of <c>path</c> with columns <c>prompt_column</c> (default "question") and <c>answer_column</c> (default "answer").</summary>
    public static TaskSplit Csv(ComponentArguments arguments, TaskSettings settings, AnswerStyle style, string task)
    {
        var (path, prompt, answer) = (Path(arguments), Name(arguments, "prompt_column", "question"), Name(arguments, "answer_column", "answer"));
        RefuseUnknown(arguments, task);
        return TaskSplit.Shuffled(CsvPromptDataset.Load(path, prompt, answer, AnswerStyleCheck.For(style)), settings, path);
    }

    /// <summary>
    /// How a file task of free-form answers checks a completion, parameter <c>answer_check</c>: <c>math</c> (numbers,
    /// "#### N" and <c>\boxed{}</c> answers; the default), <c>exact</c> (the whole trimmed completion equals the answer)
    /// or <c>numeric</c> (the final number equals the answer's).
    /// </summary>
    public static Rewards.IRewardFunction AnswerCheck(ComponentArguments arguments) =>
        arguments.GetChoice("answer_check", "math", "math", "exact", "numeric") switch
        {
            "exact" => new Rewards.ExactMatchReward(),
            "numeric" => new Rewards.NumericAnswerReward(),
            _ => new Rewards.MathAnswerReward(),
        };

    // Before the file is read: a misspelt prompt_field must be reported as such, not as the default field missing from every line.
    static void RefuseUnknown(ComponentArguments arguments, string task)
    {
        AnswerCheck(arguments);
        arguments.EnsureAllRead($"task '{task}'");
    }

    static string Name(ComponentArguments arguments, string parameter, string defaultValue)
    {
        var name = arguments.GetString(parameter, defaultValue);
        return name.Trim().Length > 0 ? name : throw new ComponentException($"{arguments.Path}.{parameter}", "is empty");
    }
}
