using System.Reflection;
using System.Text.Json.Serialization;

namespace Grpo.Abstractions.Configuration;

/// <summary>
/// The keys of <see cref="RunConfig"/>, found once from its [JsonPropertyName] attributes, so the
/// record is the only place a key is declared.
/// </summary>
internal static class RunConfigKeyTable
{
    public static readonly IReadOnlyList<RunConfigKey> All = Discover();

    private static readonly Dictionary<string, RunConfigKey> ByName =
        All.ToDictionary(key => key.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, RunConfigKey> ByPropertyName =
        All.ToDictionary(key => key.Property.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out RunConfigKey key) => ByName.TryGetValue(name, out key!);

    /// <summary>The key of a property, looked up with nameof so a renamed key cannot leave a rule behind.</summary>
    public static RunConfigKey ForProperty(string propertyName) => ByPropertyName[propertyName];

    /// <summary>"did you mean x?" for close keys, otherwise the full list, so the user always learns a valid key.</summary>
    public static string SuggestFor(string unknown)
    {
        var typed = unknown.Trim().ToLowerInvariant().Replace('-', '_');
        var nearest = All
            .Select(key => (key.Name, Distance: EditDistance(typed, key.Name)))
            .Where(candidate => candidate.Distance <= Math.Max(2, typed.Length / 3)
                || (typed.Length >= 2 && candidate.Name.Contains(typed, StringComparison.Ordinal)))
            .OrderBy(candidate => candidate.Distance)
            .ThenBy(candidate => candidate.Name, StringComparer.Ordinal)
            .Take(3)
            .Select(candidate => candidate.Name)
            .ToList();
        return nearest.Count > 0
            ? "did you mean " + string.Join(" or ", nearest) + "?"
            : "valid keys are " + string.Join(", ", All.Select(key => key.Name));
    }

    private static List<RunConfigKey> Discover() =>
    [
        // Metadata token order is declaration order, which groups the keys as the record does (run, sampling, ...).
        .. typeof(RunConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .OrderBy(property => property.MetadataToken)
            .Select(property => new RunConfigKey(
                property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
                    ?? throw new InvalidOperationException($"RunConfig.{property.Name} has no [JsonPropertyName]."),
                property)),
    ];

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
