using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>
/// The two views of the policy that sampled a batch, [completions, tokens] each, constants: what the rollout correction
/// weighs and what the mismatch statistics measure.
/// </summary>
/// <param name="LearnerLogProbs">
/// logπ_learner_old: recomputed by the learner before its first update (<c>old_logprobs: recompute</c>), or else the
/// learner's own log-probs detached when it first sees the completion in a step.
/// </param>
/// <param name="RolloutLogProbs">logπ_rollout: the log-probs the rollout engine recorded while sampling.</param>
public sealed record BehaviourMismatch(torch.Tensor LearnerLogProbs, torch.Tensor RolloutLogProbs);
