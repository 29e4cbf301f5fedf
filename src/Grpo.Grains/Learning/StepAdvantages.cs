using Grpo.Abstractions.Configuration;
using Grpo.Abstractions.Contracts;
using Grpo.Core.Algorithm;
using Grpo.Grains.Runs;

namespace Grpo.Grains.Learning;

/// <summary>
/// The advantages a step trains with, computed once from the rewards of all its groups: only the learner sees the whole
/// step, and with scale_rewards = batch each group is scaled by the spread of every reward of the step.
/// </summary>
public static class StepAdvantages
{
    /// <returns>One array per group, in the order of <paramref name="groups"/>, holding one advantage per completion.</returns>
    public static float[][] Compute(IReadOnlyList<ScoredGroup> groups, RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(config);
        if (groups.Count == 0) return [];
        var groupSize = config.GroupSize;
        if (groups.FirstOrDefault(g => g.Completions.Length != groupSize) is { } odd)
            throw new ArgumentException($"group {odd.GroupId} has {odd.Completions.Length} completions, the run's group size is {groupSize}.", nameof(groups));
        var rewards = groups.SelectMany(g => g.Completions.Select(c => c.Reward)).ToArray();
        var advantages = GroupAdvantages.Compute(rewards, groupSize, RunOptions.Scale(config)).Advantages;
        return [.. groups.Select((_, index) => advantages[(index * groupSize)..((index + 1) * groupSize)])];
    }
}
