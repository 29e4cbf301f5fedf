using Grpo.Abstractions.Contracts;
using Grpo.Core.Generation;

namespace Grpo.Grains.Rollout;

/// <summary>
/// One completion from the rollout engine: its tokens (without the prompt), the behaviour log-prob of each token, why
/// it ended, and the policy version and learner lineage whose weights produced it.
/// </summary>
public sealed record RolloutOutput(int[] Tokens, float[] LogProbs, FinishReason FinishReason, long PolicyVersion, LearnerLineage Lineage = default);
