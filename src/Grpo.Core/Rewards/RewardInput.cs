namespace Grpo.Core.Rewards;

/// <summary>
/// What a reward function sees: the prompt, the sampled completion, the reference answer when the task has one, and
/// the metadata of the task's example (the other fields of its dataset record) when there is any.
/// </summary>
public sealed record RewardInput(string Prompt, string Completion, string? Answer, IReadOnlyDictionary<string, string>? Metadata = null);
