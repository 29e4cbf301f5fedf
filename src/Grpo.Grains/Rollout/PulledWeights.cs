namespace Grpo.Grains.Rollout;

/// <summary>A verified weight image and the policy version it holds.</summary>
internal sealed record PulledWeights(long Version, byte[] Image);
