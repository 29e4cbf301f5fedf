using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Core.Algorithm;

namespace Grpo.Grains.Learning;

/// <summary>
/// The advantages a step trains with, computed once from the rewards of all its groups by the run's advantage
/// estimator: only the learner sees the whole step, which batch-level estimators (grpo with scale batch,
/// reinforce_pp_baseline) need.
/// </summary>
public static class StepAdvantages
{
    /// <returns>One array per group, in the order of <paramref name="groups"/>, holding one advantage per completion.</returns>
    public static float[][] Compute(IReadOnlyList<ScoredGroup> groups, RunConfig config, IAdvantageEstimator estimator)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(config);
        if (groups.Count == 0) return [];
        var groupSize = config.GroupSize;
        if (groups.FirstOrDefault(g => g.Completions.Length != groupSize) is { } odd)
            throw new ArgumentException($"group {odd.GroupId} has {odd.Completions.Length} completions, the run's group size is {groupSize}.", nameof(groups));
        var rewards = groups.SelectMany(g => g.Completions.Select(c => c.Reward)).ToArray();
        var advantages = estimator.Compute(rewards, groupSize).Advantages;
        return [.. groups.Select((_, index) => advantages[(index * groupSize)..((index + 1) * groupSize)])];
    }
}
