using Grpo.Abstractions.Configuration;

namespace Grpo.Configuration;

/// <summary>The keys of <see cref="RunConfig"/>, found from its JSON contract, and "did you mean" for a mistyped one.</summary>
public static class RunConfigKeys
{
    public static IReadOnlyList<RunConfigKey> All { get; } = [.. RunConfigJson.TypeInfo.Properties.Select(property => new RunConfigKey(property))];

    private static readonly Dictionary<string, RunConfigKey> ByName = All.ToDictionary(key => key.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, RunConfigKey> ByProperty = All.ToDictionary(key => key.Property.Name, StringComparer.Ordinal);

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(key => key.Name)];

    public static bool TryGet(string name, out RunConfigKey key) => ByName.TryGetValue(name, out key!);

    /// <summary>The key of a property, looked up with nameof so that a renamed key cannot leave a rule behind.</summary>
    public static RunConfigKey ForProperty(string propertyName) => ByProperty[propertyName];

    /// <summary>
    /// What to tell about a key that does not exist: what it became when it was renamed, otherwise "did you mean x?" for
    /// close keys, otherwise the full list, so the user always learns a valid key.
    /// </summary>
    public static string Unknown(string name) =>
        RenamedKeys.TryExplain(name, out var renamed) ? renamed : "unknown key; " + SuggestFor(name);

    internal static string SuggestFor(string unknown)
    {
        var typed = unknown.Trim().ToLowerInvariant().Replace('-', '_');
        var nearest = All
            .Select(key => (key.Name, Distance: Core.Registries.NameSuggestions.EditDistance(typed, key.Name)))
            .Where(candidate => candidate.Distance <= Math.Max(2, typed.Length / 3)
                || (typed.Length >= 2 && candidate.Name.Contains(typed, StringComparison.Ordinal)))
            .OrderBy(candidate => candidate.Distance)
            .ThenBy(candidate => candidate.Name, StringComparer.Ordinal)
            .Take(3)
            .Select(candidate => candidate.Name)
            .ToList();
        return nearest.Count > 0
            ? "did you mean " + string.Join(" or ", nearest) + "?"
            : "valid keys are " + string.Join(", ", Names);
    }
}
