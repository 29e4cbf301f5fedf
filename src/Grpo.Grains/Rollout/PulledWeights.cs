using Grpo.Core.Checkpoints;

namespace Grpo.Grains.Rollout;

/// <summary>A verified weight image, held in the chunks it arrived in, and the policy version it holds.</summary>
internal sealed record PulledWeights(long Version, WeightImage Image);
