using Grpo.Abstractions.Configuration;
using Grpo.Core.Registries;

namespace Grpo.Grains.Runs.Components;

/// <summary>
/// Interim adapter until Core has a task registry: the <c>task</c> selection read into today's task settings,
/// with the parameters read through <see cref="ComponentArguments"/> so a missing, mistyped or unknown one is refused
/// as a registry would refuse it. Reading opens no file, so the loader can run it as the tasks' parameter check.
/// </summary>
/// <param name="Path">The JSON-lines file of a dataset task; null for arithmetic.</param>
public sealed record TaskSelection(string Name, string? Path, string PromptField, string AnswerField, int MaxOperand)
{
    public const string Kind = "task";

    public const string Arithmetic = "arithmetic";

    public static readonly IReadOnlyList<string> Names = [Arithmetic, "gsm8k", "math", "jsonl"];

    public static TaskSelection Read(ComponentSpec spec, string path = "task")
    {
        ArgumentNullException.ThrowIfNull(spec);
        var arguments = new ComponentArguments(path, spec.ParametersAsJson());
        var selection = spec.Name switch
        {
            Arithmetic => new TaskSelection(spec.Name, null, "question", "answer", AtLeastOne(arguments, "max_operand", 99)),
            "gsm8k" or "math" or "jsonl" => new TaskSelection(spec.Name, NotBlank(arguments, arguments.RequireString("path"), "path"),
                NotBlank(arguments, arguments.GetString("prompt_field", "question"), "prompt_field"),
                NotBlank(arguments, arguments.GetString("answer_field", "answer"), "answer_field"), 0),
            var other => throw new ComponentException(path, $"'{other}' is not a registered {Kind}; {NameSuggestions.Describe(other, Names)}"),
        };
        arguments.EnsureAllRead($"{Kind} '{spec.Name}'");
        return selection;
    }

    private static int AtLeastOne(ComponentArguments arguments, string name, int defaultValue)
    {
        var value = arguments.GetInt(name, defaultValue);
        return value >= 1 ? value : throw new ComponentException($"{arguments.Path}.{name}", $"must be at least 1, got {value}");
    }

    private static string NotBlank(ComponentArguments arguments, string value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ComponentException($"{arguments.Path}.{name}", "must not be empty") : value;
}
