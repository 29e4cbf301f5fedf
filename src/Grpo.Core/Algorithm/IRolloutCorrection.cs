namespace Grpo.Core.Algorithm;

/// <summary>
/// Corrects the policy gradient for the gap between the policy that sampled a completion as the rollout engine computed
/// it (bfloat16 numerics, or weights some versions old in async mode) and the same policy as the learner computes it:
/// a weight per token, a function of <c>π_learner_old / π_rollout</c>, that multiplies the per-token policy-gradient
/// loss as a constant (veRL's rollout correction, <c>verl/trainer/ppo/rollout_corr_helper.py</c>; TRL's
/// <c>vllm_importance_sampling_correction</c> in <c>GRPOTrainer._generate_and_score_completions</c>). Implementations
/// are selected by name from <see cref="Registries.GrpoRegistries.RolloutCorrections"/>.
/// </summary>
public interface IRolloutCorrection
{
    /// <summary>The weight of every token. Runs inside the objective's dispose scope, which frees what it creates.</summary>
    RolloutCorrectionWeights Weights(RolloutCorrectionInputs inputs);
}
