using System.Collections.ObjectModel;

namespace Grpo.Abstractions.Contracts;

/// <summary>
/// What a prompt grain reports back to the run once its group is with the learner, or, when <see cref="Filtered"/>,
/// once dynamic sampling has held back a group whose rewards were all equal (it never reaches the learner).
/// <see cref="ZeroStd"/> is decided from the rewards alone: equal rewards give every completion a zero advantage.
/// </summary>
[GenerateSerializer, Immutable, Alias("grpo.GroupOutcome")]
public sealed record GroupOutcome(
    [property: Id(0)] int PromptIndex,
    [property: Id(1)] int Completions,
    [property: Id(2)] float MeanReward,
    [property: Id(3)] bool ZeroStd,
    [property: Id(4)] int GeneratedTokens,
    [property: Id(5)] int Regenerations,
    [property: Id(6)] long OldestPolicyVersion,
    [property: Id(7)] IReadOnlyDictionary<string, int> CompletionsBySilo,
    [property: Id(8)] bool Filtered = false)
{
    /// <summary>The mean over the group's completions of each reward component's score (see <see cref="CompletionResult.RewardComponents"/>).</summary>
    [Id(10)] public IReadOnlyDictionary<string, double> RewardComponents { get; init; } = ReadOnlyDictionary<string, double>.Empty;
}
