using Grpo.Core.Registries;

namespace Grpo.Core.Rewards;

/// <summary>
/// Builds a run's training reward from its configured list of rewards: each entry names a registered reward and
/// gives it parameters plus the generic <c>weight</c> (default 1). The result is <c>r = Σ w_k r_k</c> as a
/// <see cref="WeightedReward"/> whose breakdown is keyed by the configured names; a single reward at weight 1 is
/// that reward itself, so a run on the answer alone scores exactly as its task does.
/// </summary>
public static class RewardSet
{
    public const string WeightParameter = "weight";

    /// <param name="entries">Each reward's registered name and its arguments (whose path, e.g. <c>rewards[1]</c>, errors name).</param>
    /// <exception cref="ComponentException">An unknown name or parameter, a bad weight, the same name twice, no reward or only zero weights.</exception>
    public static IRewardFunction Build(IReadOnlyList<(string Name, ComponentArguments Arguments)> entries, GrpoRegistries registries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(registries);
        if (entries.Count == 0) throw new ComponentException("rewards", "is empty; list at least one reward, e.g. {\"name\": \"answer\"}");

        var firstPath = new Dictionary<string, string>(StringComparer.Ordinal);
        var components = new List<(IRewardFunction Function, float Weight)>(entries.Count);
        foreach (var (name, arguments) in entries)
        {
            ArgumentNullException.ThrowIfNull(arguments);
            if (!firstPath.TryAdd(name, arguments.Path))
                throw new ComponentException(arguments.Path, $"reward '{name}' is already listed at {firstPath[name]}; each reward may appear once, its name keys the breakdown");
            var weight = arguments.GetDouble(WeightParameter, 1.0);
            if (!float.IsFinite((float)weight))
                throw new ComponentException($"{arguments.Path}.{WeightParameter}", $"{weight} is too large for a float weight");
            var function = registries.Rewards.Create(name, arguments);
            components.Add((function.Name == name ? function : new NamedReward(name, function), (float)weight));
        }

        if (components.All(component => component.Weight == 0))
            throw new ComponentException(ListPath(entries[0].Arguments.Path), "every reward has weight 0; give at least one a weight other than 0");
        return components is [{ Weight: 1f } only] ? only.Function : new WeightedReward(components);
    }

    // "rewards[2]" -> "rewards": a problem of the whole list is reported at the list.
    static string ListPath(string entryPath) => entryPath.IndexOf('[', StringComparison.Ordinal) is var bracket and > 0 ? entryPath[..bracket] : entryPath;
}
