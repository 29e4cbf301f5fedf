using Grpo.Abstractions.Configuration;
using Grpo.Core.Registries;

namespace Grpo.Grains.Components;

/// <summary>The components a run configuration names, each with its registry kind and configuration key.</summary>
public static class RunComponents
{
    static readonly GrpoRegistries Kinds = new();

    public static IReadOnlyList<RequiredComponent> Required(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return
        [
            new(Kinds.Tasks.Kind, config.Task.Name, "task"),
            .. config.Rewards.Select((reward, i) => new RequiredComponent(Kinds.Rewards.Kind, reward.Name, $"rewards[{i}]")),
            new(Kinds.PolicyLosses.Kind, config.PolicyLoss.Name, "policy_loss"),
            new(Kinds.LossAggregations.Kind, config.LossType.Name, "loss_type"),
            new(Kinds.AdvantageEstimators.Kind, config.AdvantageEstimator.Name, "advantage_estimator"),
            new(Kinds.KlEstimators.Kind, config.KlEstimator.Name, "kl_estimator"),
            new(Kinds.RolloutCorrections.Kind, config.RolloutCorrection.Name, "rollout_correction"),
        ];
    }
}
