using System.Text.RegularExpressions;
using Grpo.Abstractions.Configuration;
using Grpo.Configuration;
using Grpo.Core.Registries;

namespace Grpo.Grains.Runs.Components;

/// <summary>
/// Interim adapter until the built-in rewards are registered in Core's reward registry: one entry of <c>rewards</c>
/// read into today's reward settings, its parameters read through <see cref="ComponentArguments"/>. Reading builds
/// nothing, so the loader can run it as the rewards' parameter check.
/// </summary>
/// <param name="Pattern">The format reward's regular expression; null uses the task's own answer marker.</param>
public sealed record RewardSelection(string Name, double Weight, string? Pattern)
{
    public const string Kind = "reward";

    public static readonly IReadOnlyList<string> Names = ["answer", "format", "length"];

    public static RewardSelection Read(ComponentSpec entry, string path)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var weight = RewardWeights.Of(entry, out var problem)
            ?? throw new ComponentException($"{path}.{RewardWeights.Parameter}", problem);
        var arguments = new ComponentArguments(path, RewardWeights.WithoutWeight(entry).ParametersAsJson());
        var selection = entry.Name switch
        {
            "answer" or "length" => new RewardSelection(entry.Name, weight, null),
            "format" => new RewardSelection(entry.Name, weight, Regex(arguments)),
            var other => throw new ComponentException(path, $"'{other}' is not a registered {Kind}; {NameSuggestions.Describe(other, Names)}"),
        };
        arguments.EnsureAllRead($"{Kind} '{entry.Name}'");
        return selection;
    }

    private static string? Regex(ComponentArguments arguments)
    {
        var pattern = arguments.GetOptionalString("pattern");
        if (pattern is null)
        {
            return null;
        }

        try
        {
            _ = new Regex(pattern);
            return pattern.Length > 0 ? pattern : throw new ArgumentException("empty");
        }
        catch (ArgumentException)
        {
            throw new ComponentException($"{arguments.Path}.pattern", $"'{pattern}' is not a valid regular expression");
        }
    }
}
