using TorchSharp;

namespace Grpo.Core.Algorithm;

/// <summary>What a <see cref="IRolloutCorrection"/> weighs; every tensor is [completions, tokens], constant (no gradient).</summary>
/// <param name="LearnerLogProbs">logπ_learner_old of the sampled tokens: the learner's own numbers for the policy that sampled them; zero at padding.</param>
/// <param name="RolloutLogProbs">logπ_rollout: the log-probs the rollout engine recorded while sampling; zero at padding.</param>
/// <param name="Mask">1 for tokens that count and 0 for padding, in the dtype of the log-probs.</param>
public sealed record RolloutCorrectionInputs(torch.Tensor LearnerLogProbs, torch.Tensor RolloutLogProbs, torch.Tensor Mask);
