namespace Grpo.Configuration;

/// <summary>
/// Keys of earlier configuration files that became parts of a component, each with what to write instead. A file that
/// still uses one is refused with this advice rather than guessed at, so no run silently trains on another setting.
/// </summary>
public static class RenamedKeys
{
    public const string Reference = "docs/configuration.md";

    /// <summary>Old key → what replaces it, in the words of the message.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dataset_path"] = "task.path",
        ["prompt_field"] = "task.prompt_field",
        ["answer_field"] = "task.answer_field",
        ["arithmetic_max_operand"] = "task.max_operand",
        ["reward_weights"] = "rewards, a list of {\"name\": ..., \"weight\": ...} (reward_weights {\"answer\": 1, \"format\": 0.2} is rewards [{\"name\": \"answer\", \"weight\": 1}, {\"name\": \"format\", \"weight\": 0.2}])",
        ["format_pattern"] = "the pattern parameter of the format entry of rewards ({\"name\": \"format\", \"pattern\": ...})",
        ["scale_rewards"] = "advantage_estimator.scale (scale_rewards batch is advantage_estimator {\"name\": \"grpo\", \"scale\": \"batch\"})",
    };

    public static bool TryExplain(string key, out string message)
    {
        message = All.TryGetValue(key, out var replacement)
            ? $"'{key}' was renamed: use {replacement} (see {Reference})"
            : "";
        return message.Length > 0;
    }
}
