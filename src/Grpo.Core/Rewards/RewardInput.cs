namespace Grpo.Core.Rewards;

/// <summary>What a reward function sees: the prompt, the sampled completion and the reference answer when the task has one.</summary>
public sealed record RewardInput(string Prompt, string Completion, string? Answer);
