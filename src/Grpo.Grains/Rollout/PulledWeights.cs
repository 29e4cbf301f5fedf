using Grpo.Abstractions.Contracts;
using Grpo.Core.Checkpoints;

namespace Grpo.Grains.Rollout;

/// <summary>A verified weight image, held in the chunks it arrived in, the policy version it holds and the learner lineage that published it.</summary>
internal sealed record PulledWeights(long Version, LearnerLineage Lineage, WeightImage Image);
