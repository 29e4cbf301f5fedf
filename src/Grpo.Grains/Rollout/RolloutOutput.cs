using Grpo.Abstractions.Contracts;
using Grpo.Core.Generation;

namespace Grpo.Grains.Rollout;

/// <summary>
/// One completion from the rollout engine: its tokens (without the prompt), the behaviour log-prob of each token, why
/// it ended, and the policy version and learner lineage whose weights produced it. With partial rollouts the tokens may
/// come from several versions: <see cref="PolicyVersion"/> is the oldest and <see cref="Versions"/> tags every token.
/// </summary>
public sealed record RolloutOutput(int[] Tokens, float[] LogProbs, FinishReason FinishReason, long PolicyVersion, LearnerLineage Lineage = default)
{
    /// <summary>The version that sampled each token, run-length encoded in order; empty means all of <see cref="PolicyVersion"/>.</summary>
    public TokenVersionSpan[] Versions { get; init; } = [];
}
