using Grpo.Abstractions.Configuration;
using Grpo.Configuration;

namespace Grpo.Hosting.Training;

/// <summary>Edits of a configuration's component lists for the library entry point.</summary>
internal static class RunConfigComponents
{
    /// <summary>The configuration with reward <paramref name="name"/> at <paramref name="weight"/> added, unless it names it already.</summary>
    public static RunConfig WithReward(RunConfig config, string name, double weight)
    {
        if (config.Rewards.Any(reward => reward.Name == name)) return config;
        return config with { Rewards = [.. config.Rewards, new ComponentSpec(name).WithParameter(RewardWeights.Parameter, weight)] };
    }
}
