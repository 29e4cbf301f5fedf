using Grpo.Core.Algorithm;
using Grpo.Core.Registries;

namespace Grpo.TestPlugin;

/// <summary>Advantages as the reward minus the group's median: an estimator only this plugin knows.</summary>
[GrpoComponent("test_median_baseline", Description = "Reward minus the group median (a test plugin's advantage estimator).")]
public sealed class MedianBaselineEstimator : IAdvantageEstimator
{
    public AdvantageResult Compute(float[] rewards, int groupSize)
    {
        PluginUse.Count("test_median_baseline");
        var advantages = new float[rewards.Length];
        var zeroStd = 0;
        for (var start = 0; start < rewards.Length; start += groupSize)
        {
            var group = rewards[start..(start + groupSize)];
            var sorted = group.Order().ToArray();
            var median = groupSize % 2 == 1 ? sorted[groupSize / 2] : (sorted[groupSize / 2 - 1] + sorted[groupSize / 2]) / 2f;
            if (group.All(r => r == group[0])) zeroStd++;
            for (var i = 0; i < groupSize; i++) advantages[start + i] = group[i] - median;
        }

        var groups = rewards.Length / groupSize;
        return new AdvantageResult(advantages, zeroStd, (float)zeroStd / groups);
    }
}
